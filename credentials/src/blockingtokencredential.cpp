#include "azid/blockingtokencredential.h"

#include <QCoreApplication>
#include <QObject>
#include <QThread>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace azid {
namespace {

// The Qt of a program that has no QCoreApplication: one, made on a thread of its own that runs its
// event loop, shared by every BlockingTokenCredential and ended with the last of them.
class OwnApplication
{
public:
    // The application's thread, started when this is its first user; null when the program has a
    // QCoreApplication of its own.
    static QThread *acquire()
    {
        OwnApplication &self = instance();
        std::unique_lock lock(self.m_mutex);
        if (self.m_users == 0 && QCoreApplication::instance())
            return nullptr;
        if (self.m_users++ == 0) {
            std::promise<QThread *> started;
            std::future<QThread *> thread = started.get_future();
            self.m_thread = std::thread([&started] {
                static int argc = 1;
                static char name[] = "azid";
                static char *argv[] = {name, nullptr};
                QCoreApplication application(argc, argv);
                started.set_value(QThread::currentThread());
                QCoreApplication::exec();
            });
            self.m_qthread = thread.get();
        }
        return self.m_qthread;
    }

    static void release()
    {
        OwnApplication &self = instance();
        std::unique_lock lock(self.m_mutex);
        if (--self.m_users > 0)
            return;
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [] { QCoreApplication::exit(0); }, Qt::QueuedConnection);
        self.m_thread.join();
        self.m_qthread = nullptr;
    }

private:
    static OwnApplication &instance()
    {
        static OwnApplication self;
        return self;
    }

    std::mutex m_mutex;
    int m_users = 0;
    std::thread m_thread;
    QThread *m_qthread = nullptr;
};

// Runs `work` on `context`'s thread and waits until it has run.
template <typename Work> void runOn(QObject *context, Work work)
{
    std::promise<void> done;
    std::future<void> finished = done.get_future();
    QMetaObject::invokeMethod(
        context,
        [&work, &done] {
            work();
            done.set_value();
        },
        Qt::QueuedConnection);
    finished.wait();
}

struct Waiter
{
    std::mutex mutex;
    std::condition_variable changed;
    std::optional<TokenResult> result;

    void set(TokenResult value)
    {
        std::unique_lock lock(mutex);
        if (!result)
            result = std::move(value);
        changed.notify_all();
    }
};

TokenResult abandoned()
{
    return AuthError::unavailable(
        QStringLiteral("The request was abandoned: the BlockingTokenCredential was destroyed."));
}

} // namespace

struct BlockingTokenCredential::Private
{
    bool ownApplication = false;
    QThread *ownThread = nullptr; // a QThread of this credential's (a program with a QCoreApplication)
    QObject *context = nullptr;   // lives on the internal thread
    std::thread::id threadId;
    std::shared_ptr<TokenCredential> credential;
    QString name;
    std::optional<AuthError> configurationError;
};

BlockingTokenCredential::BlockingTokenCredential(Factory makeCredential) : d(std::make_unique<Private>())
{
    QThread *thread = OwnApplication::acquire();
    if (thread) {
        d->ownApplication = true;
    } else {
        d->ownThread = new QThread;
        d->ownThread->setObjectName(QStringLiteral("BlockingTokenCredential"));
        d->ownThread->start();
        thread = d->ownThread;
    }
    d->context = new QObject;
    d->context->moveToThread(thread);
    runOn(d->context, [this, &makeCredential] {
        d->threadId = std::this_thread::get_id();
        if (makeCredential)
            d->credential = makeCredential();
        if (d->credential) {
            d->name = d->credential->name();
            d->configurationError = d->credential->configurationError();
        }
    });
}

BlockingTokenCredential::~BlockingTokenCredential()
{
    // The credential goes on its own thread; requests still waiting are then abandoned.
    QObject *context = d->context;
    runOn(context, [this, context] {
        d->credential.reset();
        delete context;
    });
    if (d->ownThread) {
        d->ownThread->quit();
        d->ownThread->wait();
        delete d->ownThread;
    }
    if (d->ownApplication)
        OwnApplication::release();
}

QString BlockingTokenCredential::name() const
{
    return d->name;
}

std::optional<AuthError> BlockingTokenCredential::configurationError() const
{
    return d->configurationError;
}

TokenResult BlockingTokenCredential::getTokenBlocking(const TokenRequestOptions &options) const
{
    if (!d->credential)
        return AuthError::unavailable(QStringLiteral("BlockingTokenCredential was given no credential."));
    if (std::this_thread::get_id() == d->threadId) {
        return AuthError::unavailable(QStringLiteral(
            "getTokenBlocking() was called on the credential's own thread, where waiting would never end; "
            "call the credential's getTokenInfo() there instead."));
    }
    auto waiter = std::make_shared<Waiter>();
    QMetaObject::invokeMethod(
        d->context,
        [credential = d->credential, options, waiter] {
            credential->getTokenInfo(options)
                .then(QtFuture::Launch::Sync, [waiter](const TokenResult &result) { waiter->set(result); })
                .onCanceled([waiter] { waiter->set(abandoned()); });
        },
        Qt::QueuedConnection);
    std::unique_lock lock(waiter->mutex);
    waiter->changed.wait(lock, [&waiter] { return waiter->result.has_value(); });
    return *waiter->result;
}

Result<AccessToken> BlockingTokenCredential::getTokenBlocking(const QStringList &scopes,
                                                              const QString &claims, const QString &tenantId,
                                                              bool enableCae) const
{
    const TokenResult result = getTokenBlocking(TokenRequestOptions{scopes, claims, tenantId, enableCae});
    if (!result.ok())
        return result.error();
    return AccessToken{result.value().token, result.value().expiresOn};
}

} // namespace azid
