#include "azid/keychain/keychainsecretstore.h"

#include "azid/keychain/storagefailure.h"
#include "azid/keychain/storagelocation.h"
#include "azid/readyfuture.h"
#include "keychainbackend.h"
#include "keychainerrors.h"
#include "keychainlogging.h"
#include "libsecretclient.h"

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

// QtKeychain's libsecret attributes of an item: its service and key.
QList<QPair<QString, QString>> qtKeychainAttributes(const QString &service, const QString &key)
{
    return {{QStringLiteral("server"), service}, {QStringLiteral("user"), key}};
}

} // namespace

KeychainSecretStore::KeychainSecretStore(const QString &profile, std::chrono::milliseconds timeout)
    : m_profile(profile), m_service(keychainServiceName(profile)), m_timeout(timeout)
{}

std::optional<AuthError> KeychainSecretStore::invalidProfileError() const
{
    if (isValidProfileName(m_profile))
        return detail::backendMismatch(m_profile);
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
    const QString profile = m_profile;
    const auto timeout = m_timeout;
    return run<SecretResult>(
               job, m_timeout,
               [service, key, profile](QKeychain::Job &finished) -> SecretResult {
                   if (finished.error() == QKeychain::NoError) {
                       if (const auto backend = detail::qtKeychainBackend())
                           detail::pinBackend(profile, *backend);
                       return std::optional<Secret>(
                           Secret(static_cast<QKeychain::ReadPasswordJob &>(finished).binaryData()));
                   }
                   if (finished.error() == QKeychain::EntryNotFound)
                       return std::optional<Secret>();
                   return detail::keychainError(finished.error(), finished.errorString(),
                                                KeychainOperation::Read, service, key);
               },
               [timeout, service, key]() -> SecretResult {
                   return detail::keychainTimeoutError(timeout, KeychainOperation::Read, service, key);
               })
        .then(QtFuture::Launch::Sync,
              [service, key, timeout](const SecretResult &read) -> QFuture<SecretResult> {
                  if (!read || read.value())
                      return ready(read);
                  return confirmAbsent(service, key, timeout);
              })
        .unwrap();
}

QFuture<SecretResult> KeychainSecretStore::confirmAbsent(const QString &service, const QString &key,
                                                         std::chrono::milliseconds timeout)
{
    // KWallet answers "not found" only from an open wallet; the Secret Service also when the item's
    // collection is locked and could not be unlocked, so there it is believed only once checked.
    if (detail::qtKeychainBackend() != detail::KeychainBackend::SecretService)
        return ready(SecretResult(std::optional<Secret>()));
    return detail::libsecret::confirmAbsent(qtKeychainAttributes(service, key), timeout)
        .then(QtFuture::Launch::Sync, [service, key](const VoidResult &open) -> SecretResult {
            if (open)
                return std::optional<Secret>();
            AuthError error = open.error();
            error.message = detail::keychainAdvice(storageFailure(error)) +
                            QStringLiteral(" (reading '%1' in keychain service '%2': the keychain answered "
                                           "\"not found\", which cannot be believed while it is locked; "
                                           "nothing was changed)")
                                .arg(key, service);
            return error;
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
    const QString profile = m_profile;
    const auto timeout = m_timeout;
    return run<VoidResult>(
        job, m_timeout,
        [service, key, profile](QKeychain::Job &finished) -> VoidResult {
            if (finished.error() == QKeychain::NoError) {
                if (const auto backend = detail::qtKeychainBackend())
                    detail::pinBackend(profile, *backend);
                return Done{};
            }
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
