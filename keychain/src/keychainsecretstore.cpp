#include "azid/keychain/keychainsecretstore.h"

#include "azid/keychain/storagefailure.h"
#include "azid/keychain/storagelocation.h"
#include "keychainerrors.h"
#include "keychainlogging.h"

#include <QPromise>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <memory>

namespace azid {

using detail::KeychainOperation;

namespace {

// Whichever comes first, the job's answer or the timeout, settles the future; the other is ignored.
// Both are tied to the job: the timer dies with it, and the job (never deleted by us while it runs)
// deletes itself once it has finished.
template <typename T> struct PendingJob
{
    QPromise<T> promise;
    bool settled = false;

    void settle(T value)
    {
        if (settled)
            return;
        settled = true;
        promise.addResult(std::move(value));
        promise.finish();
    }
};

template <typename T, typename OnFinished, typename OnTimeout>
QFuture<T> run(QKeychain::Job *job, std::chrono::milliseconds timeout, OnFinished onFinished,
               OnTimeout onTimeout)
{
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    auto pending = std::make_shared<PendingJob<T>>();
    pending->promise.start();
    QObject::connect(job, &QKeychain::Job::finished, job, [pending, onFinished](QKeychain::Job *finished) {
        pending->settle(onFinished(*finished));
    });
    QTimer::singleShot(timeout, job, [pending, onTimeout] {
        qCWarning(lcKeychain) << "keychain job timed out; it is left to finish on its own";
        pending->settle(onTimeout());
    });
    job->start();
    return pending->promise.future();
}

} // namespace

KeychainSecretStore::KeychainSecretStore(const QString &profile, std::chrono::milliseconds timeout)
    : m_profile(profile), m_service(keychainServiceName(profile)), m_timeout(timeout)
{}

std::optional<AuthError> KeychainSecretStore::invalidProfileError() const
{
    if (isValidProfileName(m_profile))
        return std::nullopt;
    return storageError(StorageFailure::InvalidName,
                        QStringLiteral("'%1' is not a valid profile name: use letters, digits, '.', '_' "
                                       "and '-' (at most 64, not starting with '.').")
                            .arg(m_profile));
}

QFuture<SecretResult> KeychainSecretStore::read(const QString &key)
{
    if (auto error = invalidProfileError())
        return QtFuture::makeReadyFuture(SecretResult(*error));
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    const QString service = m_service;
    const auto timeout = m_timeout;
    return run<SecretResult>(
        job, m_timeout,
        [service, key](QKeychain::Job &finished) -> SecretResult {
            if (finished.error() == QKeychain::NoError)
                return std::optional<Secret>(
                    Secret(static_cast<QKeychain::ReadPasswordJob &>(finished).binaryData()));
            if (finished.error() == QKeychain::EntryNotFound)
                return std::optional<Secret>();
            return detail::keychainError(finished.error(), finished.errorString(), KeychainOperation::Read,
                                         service, key);
        },
        [timeout, service, key]() -> SecretResult {
            return detail::keychainTimeoutError(timeout, KeychainOperation::Read, service, key);
        });
}

QFuture<VoidResult> KeychainSecretStore::write(const QString &key, const Secret &secret)
{
    if (auto error = invalidProfileError())
        return QtFuture::makeReadyFuture(VoidResult(*error));
    if (auto error = checkItemSize(key, secret))
        return QtFuture::makeReadyFuture(VoidResult(*error));
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(key);
    job->setBinaryData(secret.reveal());
    const QString service = m_service;
    const auto timeout = m_timeout;
    return run<VoidResult>(
        job, m_timeout,
        [service, key](QKeychain::Job &finished) -> VoidResult {
            if (finished.error() == QKeychain::NoError)
                return Done{};
            return detail::keychainError(finished.error(), finished.errorString(), KeychainOperation::Write,
                                         service, key);
        },
        [timeout, service, key]() -> VoidResult {
            return detail::keychainTimeoutError(timeout, KeychainOperation::Write, service, key);
        });
}

QFuture<VoidResult> KeychainSecretStore::remove(const QString &key)
{
    if (auto error = invalidProfileError())
        return QtFuture::makeReadyFuture(VoidResult(*error));
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(key);
    const QString service = m_service;
    const auto timeout = m_timeout;
    return run<VoidResult>(
        job, m_timeout,
        [service, key](QKeychain::Job &finished) -> VoidResult {
            if (finished.error() == QKeychain::NoError || finished.error() == QKeychain::EntryNotFound)
                return Done{};
            return detail::keychainError(finished.error(), finished.errorString(), KeychainOperation::Remove,
                                         service, key);
        },
        [timeout, service, key]() -> VoidResult {
            return detail::keychainTimeoutError(timeout, KeychainOperation::Remove, service, key);
        });
}

} // namespace azid
