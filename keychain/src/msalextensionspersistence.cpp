#include "azid/keychain/msalextensionspersistence.h"

#include "atomicfile.h"
#include "azid/keychain/storagefailure.h"
#include "azid/keychain/storagelocation.h"
#include "azid/readyfuture.h"
#include "azid/tokencache.h"
#include "keychainlogging.h"
#include "libsecretclient.h"

#include <QDateTime>
#include <QDir>

namespace azid {

const QString MsalExtensionsPersistence::AttributeName = QStringLiteral("MsalClientID");
const QString MsalExtensionsPersistence::AttributeValue =
    QStringLiteral("Microsoft.Developer.IdentityService");
const QString MsalExtensionsPersistence::Label = QStringLiteral("MSALCache");

namespace {

detail::libsecret::Item itemFor(const QString &schema)
{
    return {schema, {{MsalExtensionsPersistence::AttributeName, MsalExtensionsPersistence::AttributeValue}}};
}

using SnapshotResult = Result<std::optional<CacheSnapshot>>;

} // namespace

MsalExtensionsPersistence::MsalExtensionsPersistence(QString cacheName, QString directory,
                                                     std::chrono::milliseconds timeout)
    : m_cacheName(std::move(cacheName)),
      m_directory(directory.isEmpty() ? identityServiceDirectory() : std::move(directory)), m_timeout(timeout)
{}

std::shared_ptr<CacheStorage>
MsalExtensionsPersistence::forOptions(const TokenCachePersistenceOptions &options, bool cae, bool legacyName,
                                      const QString &directory)
{
    const QString name = legacyName ? options.legacyCacheName() : options.cacheName(cae);
    auto encrypted = std::make_shared<MsalExtensionsPersistence>(name, directory);
    auto plain = std::make_shared<PlainFileStorage>(encrypted->signalFilePath(), /*emptyMeansNone=*/true);
    return std::make_shared<FallbackCacheStorage>(encrypted, plain, options.allowUnencryptedStorage,
                                                  [encrypted] { return encrypted->probe(); });
}

bool MsalExtensionsPersistence::isSupported()
{
    return detail::libsecret::isCompiledIn();
}

QString MsalExtensionsPersistence::signalFilePath() const
{
    return QDir(m_directory).filePath(m_cacheName);
}

QString MsalExtensionsPersistence::description() const
{
    return QStringLiteral("the Secret Service item '%1' of azure.identity (signal file %2)")
        .arg(m_cacheName, signalFilePath());
}

QFuture<VoidResult> MsalExtensionsPersistence::probe()
{
    return detail::libsecret::lookup(itemFor(m_cacheName), m_timeout)
        .then([](const Result<std::optional<Secret>> &found) -> VoidResult {
            if (!found)
                return found.error();
            return Done{};
        });
}

QFuture<VoidResult> MsalExtensionsPersistence::clear()
{
    return detail::libsecret::clear(itemFor(m_cacheName), m_timeout);
}

QFuture<SnapshotResult> MsalExtensionsPersistence::read()
{
    // The stamp first: a writer that touches the signal file after the look-up makes the next load read.
    const FileStamp stampBefore = stamp();
    const QString name = m_cacheName;
    const auto timeout = m_timeout;
    return detail::libsecret::lookup(itemFor(name), timeout)
        .then([name, timeout,
               stampBefore](const Result<std::optional<Secret>> &found) -> QFuture<SnapshotResult> {
            if (!found)
                return ready(SnapshotResult(found.error()));
            if (!found.value() || found.value()->isEmpty())
                return ready(SnapshotResult(std::optional<CacheSnapshot>()));
            const Secret data = *found.value();
            if (TokenCache::validate(data.reveal()).ok())
                return ready(SnapshotResult(std::optional<CacheSnapshot>(CacheSnapshot{data, stampBefore})));
            // Keep the damaged cache in an item of its own before anyone replaces it.
            const QString aside =
                name + QStringLiteral(".corrupt-") +
                QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmssZ"));
            return detail::libsecret::store(itemFor(aside), Label + QStringLiteral(" (damaged copy)"), data,
                                            timeout)
                .then([name, aside, timeout](const VoidResult &kept) -> QFuture<SnapshotResult> {
                    const QString problem =
                        QStringLiteral("The Secret Service item '%1' (azure.identity's token cache) does not "
                                       "hold a token cache.")
                            .arg(name);
                    if (!kept) {
                        return ready(SnapshotResult(storageError(
                            StorageFailure::CacheDamaged,
                            problem +
                                QStringLiteral(" It could not be copied aside (%1); delete it, then sign "
                                               "in again.")
                                    .arg(kept.error().message))));
                    }
                    qCWarning(lcKeychain).noquote()
                        << "kept a damaged token cache as the item of schema" << aside;
                    return detail::libsecret::clear(itemFor(name), timeout)
                        .then([problem, aside](const VoidResult &) -> SnapshotResult {
                            return storageError(StorageFailure::CacheDamaged,
                                                problem +
                                                    QStringLiteral(" It has been kept as the item of schema "
                                                                   "'%1'; sign in again.")
                                                        .arg(aside));
                        });
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Result<FileStamp>> MsalExtensionsPersistence::write(const Secret &data,
                                                            std::shared_ptr<void> keepLocked)
{
    const QString signal = signalFilePath();
    return detail::libsecret::store(itemFor(m_cacheName), Label, data, m_timeout, std::move(keepLocked))
        .then([signal](const VoidResult &stored) -> Result<FileStamp> {
            if (!stored)
                return stored.error();
            return detail::touchFile(signal); // for time_last_modified(), as msal-extensions does
        });
}

} // namespace azid
