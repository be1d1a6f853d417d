// The storages under CachePersistence and the profile's choices: plain files (only with
// allow_unencrypted_storage, mode 0600, and said so), the fallback that picks between encrypted and
// plain, its plain store for account records, cache names, and memory-only mode.
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/cachestorage.h"
#include "azid/keychain/encryptedcachefile.h"
#include "azid/keychain/filesecretstore.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/profilestorage.h"
#include "azid/keychain/sharedtokencache.h"
#include "azid/keychain/storagefailure.h"
#include "azid/keychain/storagelocation.h"
#include "azid/keychain/tokencachepersistenceoptions.h"
#include "azid/tokencache.h"
#include "keychaintesthelpers.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace azid;
using azid::keychaintest::hasRefreshToken;
using azid::keychaintest::tokenResponse;
using azid::keychaintest::waitFor;

namespace {

mode_t modeOf(const QString &path)
{
    struct stat info = {};
    ::stat(QFile::encodeName(path).constData(), &info);
    return info.st_mode & 0777;
}

AuthError noKeychain()
{
    return storageError(StorageFailure::KeychainUnavailable, QStringLiteral("No keychain (test)."));
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A keychain in memory that counts the reads of each item.
class CountingSecretStore final : public SecretStore
{
public:
    QFuture<SecretResult> read(const QString &key) override
    {
        ++m_reads[key];
        return m_items.read(key);
    }
    QFuture<VoidResult> write(const QString &key, const Secret &secret) override
    {
        return m_items.write(key, secret);
    }
    QFuture<VoidResult> remove(const QString &key) override { return m_items.remove(key); }
    int reads(const QString &key) const { return m_reads.value(key); }
    void resetCounts() { m_reads.clear(); }

private:
    MemorySecretStore m_items;
    QHash<QString, int> m_reads;
};

} // namespace

class TestCacheStorage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    QString freshFolder() { return m_dir.filePath(QStringLiteral("f%1").arg(++m_counter)); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void cacheNames()
    {
        TokenCachePersistenceOptions defaults;
        QCOMPARE(defaults.name, QStringLiteral("msal.cache"));
        QVERIFY(!defaults.allowUnencryptedStorage);
        QCOMPARE(defaults.cacheName(false), QStringLiteral("msal.cache.nocae"));
        QCOMPARE(defaults.cacheName(true), QStringLiteral("msal.cache.cae"));
        QCOMPARE(defaults.legacyCacheName(), QStringLiteral("msal.cache"));
        const TokenCachePersistenceOptions mine{QStringLiteral("my_application"), true};
        QCOMPARE(mine.cacheName(false), QStringLiteral("my_application.nocae"));
        // Caches of different names never share a file or a key.
        auto store = std::make_shared<MemorySecretStore>();
        const auto a = CachePersistence::forProfile(store, std::make_shared<TokenCache>(),
                                                    QStringLiteral("p"), defaults, false);
        const auto b = CachePersistence::forProfile(store, std::make_shared<TokenCache>(),
                                                    QStringLiteral("p"), mine, false);
        QVERIFY(a->filePath() != b->filePath());
        QVERIFY(a->keyName() != b->keyName());
        QCOMPARE(a->filePath(),
                 defaultCacheFilePath(QStringLiteral("p"), QStringLiteral("msal.cache.nocae")));
    }

    void plainFileIsPrivateAndAtomic()
    {
        const QString path = freshFolder() + QStringLiteral("/cache.json");
        PlainFileStorage plain(path);
        QVERIFY(!plain.isEncrypted());
        QVERIFY(plain.warning().contains(QStringLiteral("UNENCRYPTED")));
        QVERIFY(!waitFor(plain.read())->value().has_value());
        const auto written = waitFor(plain.write(Secret(QByteArrayLiteral("{\"AccessToken\": {}}")), {}));
        QVERIFY(written && written->ok());
        QCOMPARE(modeOf(path), mode_t(0600));
        QCOMPARE(modeOf(QFileInfo(path).path()), mode_t(0700));
        QCOMPARE(readFile(path), QByteArray("{\"AccessToken\": {}}"));
        const auto again = waitFor(plain.write(Secret(QByteArrayLiteral("{}")), {}));
        QVERIFY(again->value().inode != written->value().inode); // replaced, not rewritten in place
        QCOMPARE(QDir(QFileInfo(path).path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("cache.json")});
        QVERIFY(plain.discard().ok());
        QVERIFY(!QFile::exists(path));
    }

    void damagedPlainFileIsKeptAside()
    {
        const QString folder = freshFolder();
        QDir().mkpath(folder);
        const QString path = folder + QStringLiteral("/cache.json");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"AccessToken\": {");
        file.close();
        PlainFileStorage plain(path);
        const auto read = waitFor(plain.read());
        QVERIFY(read && !read->ok());
        QCOMPARE(storageFailure(read->error()), StorageFailure::CacheDamaged);
        QVERIFY(!QFile::exists(path));
        const QStringList kept = QDir(folder).entryList({QStringLiteral("cache.json.corrupt-*")});
        QCOMPARE(kept.size(), 1);
        QCOMPARE(readFile(folder + QLatin1Char('/') + kept.first()), QByteArray("{\"AccessToken\": {"));
    }

    void emptySignalFileIsNoCache()
    {
        const QString folder = freshFolder();
        QDir().mkpath(folder);
        const QString path = folder + QStringLiteral("/msal.cache.nocae");
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        PlainFileStorage signal(path, /*emptyMeansNone=*/true);
        const auto read = waitFor(signal.read());
        QVERIFY(read && read->ok() && !read->value().has_value());
        QVERIFY(signal.discard().ok());
        QVERIFY(QFile::exists(path)); // emptied, not deleted: it is msal-extensions' signal file too
        QCOMPARE(QFileInfo(path).size(), 0);
    }

    void fallbackChoice_data()
    {
        QTest::addColumn<int>("failure");
        QTest::addColumn<bool>("allow");
        QTest::addColumn<bool>("plain");        // plain file in use
        QTest::addColumn<int>("expectedError"); // StorageFailure of the save, None when it worked
        const auto row = [](const char *name, StorageFailure failure, bool allow, bool plain,
                            StorageFailure error) {
            QTest::newRow(name) << int(failure) << allow << plain << int(error);
        };
        row("keychain works", StorageFailure::None, true, false, StorageFailure::None);
        row("no keychain, allowed", StorageFailure::KeychainUnavailable, true, true, StorageFailure::None);
        row("no keychain, not allowed", StorageFailure::KeychainUnavailable, false, false,
            StorageFailure::EncryptionUnavailable);
        row("locked, allowed", StorageFailure::KeychainLocked, true, false, StorageFailure::KeychainLocked);
        row("denied, allowed", StorageFailure::KeychainAccessDenied, true, false,
            StorageFailure::KeychainAccessDenied);
        row("late, allowed", StorageFailure::KeychainTimeout, true, false, StorageFailure::KeychainTimeout);
    }

    void fallbackChoice()
    {
        QFETCH(int, failure);
        QFETCH(bool, allow);
        QFETCH(bool, plain);
        QFETCH(int, expectedError);
        const QString folder = freshFolder();
        auto store = std::make_shared<MemorySecretStore>();
        if (StorageFailure(failure) != StorageFailure::None)
            store->setFailure(
                storageError(StorageFailure(failure), storageFailureName(StorageFailure(failure))));
        auto encrypted = std::make_shared<EncryptedFileStorage>(store, QStringLiteral("cache-key:c"),
                                                                folder + QStringLiteral("/c.bin"));
        auto plainFile = std::make_shared<PlainFileStorage>(folder + QStringLiteral("/c.json"));
        auto storage = std::make_shared<FallbackCacheStorage>(encrypted, plainFile, allow,
                                                              [encrypted] { return encrypted->probe(); });
        auto cache = std::make_shared<TokenCache>();
        cache->add(tokenResponse(QStringLiteral("alice")));
        CachePersistence persistence(cache, storage, QStringLiteral("c"));
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved);
        if (StorageFailure(expectedError) == StorageFailure::None) {
            QVERIFY2(saved->ok(), azid::keychaintest::describe(saved).constData());
        } else {
            QVERIFY(!saved->ok());
            QCOMPARE(int(storageFailure(saved->error())), expectedError);
        }
        QCOMPARE(QFile::exists(folder + QStringLiteral("/c.json")), plain);
        QCOMPARE(persistence.storageWarning().isEmpty(), !plain);
        QCOMPARE(storage->isEncrypted(), !plain);
        if (plain) {
            QCOMPARE(modeOf(folder + QStringLiteral("/c.json")), mode_t(0600));
            QVERIFY(readFile(folder + QStringLiteral("/c.json")).contains("rt-secret-alice"));
        }
        if (StorageFailure(expectedError) == StorageFailure::None && !plain)
            QVERIFY(readFile(folder + QStringLiteral("/c.bin")).startsWith("AZIDC1"));
    }

    // A plain cache of a session without a keychain is taken into the encrypted one once the keychain
    // is back, and the plain file goes after the first encrypted write.
    void plainCacheIsTakenIntoTheEncryptedOne()
    {
        QTemporaryDir data;
        qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
        TokenCachePersistenceOptions options{QStringLiteral("migrate"), true};
        auto store = std::make_shared<MemorySecretStore>();
        store->setFailure(noKeychain());
        auto sshCache = std::make_shared<TokenCache>();
        sshCache->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(
            waitFor(
                CachePersistence::forProfile(store, sshCache, QStringLiteral("p"), options, false)->save())
                ->ok());
        const QString plain = unencryptedCacheFilePath(QStringLiteral("p"), QStringLiteral("migrate.nocae"));
        QVERIFY(QFile::exists(plain));

        store->setFailure(std::nullopt);
        auto desktopCache = std::make_shared<TokenCache>();
        desktopCache->add(tokenResponse(QStringLiteral("bob")));
        const auto desktop =
            CachePersistence::forProfile(store, desktopCache, QStringLiteral("p"), options, false);
        QVERIFY(waitFor(desktop->load())->ok());
        QVERIFY(hasRefreshToken(*desktopCache, QStringLiteral("alice")));
        QVERIFY(QFile::exists(plain)); // still there: nothing encrypted holds alice yet
        QVERIFY(waitFor(desktop->save())->ok());
        QVERIFY(!QFile::exists(plain));
        QVERIFY(desktop->storageWarning().isEmpty());

        auto later = std::make_shared<TokenCache>();
        QVERIFY(
            waitFor(CachePersistence::forProfile(store, later, QStringLiteral("p"), options, false)->load())
                ->ok());
        QVERIFY(hasRefreshToken(*later, QStringLiteral("alice")));
        QVERIFY(hasRefreshToken(*later, QStringLiteral("bob")));
        qunsetenv("XDG_DATA_HOME");
    }

    // The encrypted cache, authenticated but not a cache, is not taken over by the plain one that waits
    // to be taken in: the load fails with what is wrong, and neither file changes.
    void damagedEncryptedCacheIsNotReplacedByThePlainOne()
    {
        QTemporaryDir data;
        qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
        TokenCachePersistenceOptions options{QStringLiteral("mixed"), true};
        const QString profile = QStringLiteral("p");
        const QString name = QStringLiteral("mixed.nocae");
        auto store = std::make_shared<MemorySecretStore>();
        store->setFailure(noKeychain());
        auto sshCache = std::make_shared<TokenCache>();
        sshCache->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(
            waitFor(CachePersistence::forProfile(store, sshCache, profile, options, false)->save())->ok());
        const QString plain = unencryptedCacheFilePath(profile, name);
        const QByteArray plainBefore = readFile(plain);
        QVERIFY(!plainBefore.isEmpty());

        store->setFailure(std::nullopt);
        const Secret key = EncryptedCacheFile::generateKey();
        QVERIFY(waitFor(store->write(QStringLiteral("cache-key:") + name, key))->ok());
        const QString path = defaultCacheFilePath(profile, name);
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QVERIFY(EncryptedCacheFile(path).write(Secret(QByteArrayLiteral(R"({"AccessToken":[]})")), key).ok());
        const QByteArray before = readFile(path);

        auto cache = std::make_shared<TokenCache>();
        const auto persistence = CachePersistence::forProfile(store, cache, profile, options, false);
        const auto loaded = waitFor(persistence->load());
        QVERIFY(loaded && !loaded->ok());
        QCOMPARE(storageFailure(loaded->error()), StorageFailure::CacheDamaged);
        QVERIFY2(
            loaded->error().message.contains(QStringLiteral("\"AccessToken\" section is not a JSON object")),
            qPrintable(loaded->error().message));
        QVERIFY(cache->isEmpty());
        QCOMPARE(readFile(path), before);
        QCOMPARE(readFile(plain), plainBefore);
        qunsetenv("XDG_DATA_HOME");
    }

    void fileSecretStore()
    {
        const QString folder = freshFolder();
        FileSecretStore store(folder);
        const QString key = QStringLiteral("account:uid.utid/with odd:chars");
        QVERIFY(!waitFor(store.read(key))->value().has_value());
        QVERIFY(waitFor(store.write(key, Secret::fromString(QStringLiteral("record"))))->ok());
        QCOMPARE(waitFor(store.read(key))->value()->revealString(), QStringLiteral("record"));
        QVERIFY(
            QFileInfo(store.filePath(key)).fileName().startsWith(QStringLiteral("account%3Auid.utid%2F")));
        QCOMPARE(modeOf(store.filePath(key)), mode_t(0600));
        QCOMPARE(storageFailure(
                     waitFor(store.write(QStringLiteral("big"), Secret(QByteArray(3000, 'x'))))->error()),
                 StorageFailure::ItemTooLarge);
        QVERIFY(waitFor(store.remove(key))->ok());
        QVERIFY(waitFor(store.remove(key))->ok());
        QVERIFY(!QFile::exists(store.filePath(key)));
    }

    void fallbackSecretStore_data()
    {
        QTest::addColumn<int>("failure");
        QTest::addColumn<bool>("allow");
        QTest::addColumn<bool>("plain");
        QTest::newRow("keychain works") << int(StorageFailure::None) << true << false;
        QTest::newRow("no keychain, allowed") << int(StorageFailure::KeychainUnavailable) << true << true;
        QTest::newRow("no keychain, not allowed")
            << int(StorageFailure::KeychainUnavailable) << false << false;
        QTest::newRow("locked, allowed") << int(StorageFailure::KeychainLocked) << true << false;
    }

    void fallbackSecretStore()
    {
        QFETCH(int, failure);
        QFETCH(bool, allow);
        QFETCH(bool, plain);
        auto keychain = std::make_shared<MemorySecretStore>();
        if (StorageFailure(failure) != StorageFailure::None)
            keychain->setFailure(storageError(StorageFailure(failure), QStringLiteral("test")));
        auto files = std::make_shared<FileSecretStore>(freshFolder());
        FallbackSecretStore store(keychain, files, allow);
        const auto written =
            waitFor(store.write(QStringLiteral("account:x"), Secret::fromString(QStringLiteral("r"))));
        QCOMPARE(written->ok(), StorageFailure(failure) == StorageFailure::None || plain);
        QCOMPARE(QFile::exists(files->filePath(QStringLiteral("account:x"))), plain);
        QCOMPARE(store.warning().isEmpty(), !plain);
        if (written->ok())
            QCOMPARE(store.usesPlainStore(), std::optional<bool>(plain));
        // Once decided, a keychain that comes back later does not move records mid-session.
        keychain->setFailure(std::nullopt);
        if (plain)
            QVERIFY(!keychain->items().contains(QStringLiteral("account:x")));
    }

    // Memory-only: nothing touches the keychain (here: one that would fail every call) or the disk.
    void memoryOnlyProfileStoresNothing()
    {
        QTemporaryDir data;
        qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
        qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/azid-test-bus");
        ProfileStorage::Options options;
        options.memoryOnly = true;
        ProfileStorage storage(QStringLiteral("memory"), options);
        QCOMPARE(storage.tokenPersistence(), ProfileStorage::TokenPersistence::MemoryOnly);
        AuthenticationRecord record{QStringLiteral("login.microsoftonline.com"),
                                    QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
                                    QStringLiteral("alice.tenant"), QStringLiteral("tenant"),
                                    QStringLiteral("alice@example.com")};
        QVERIFY(waitFor(storage.accounts().put(record, {}))->ok());
        QCOMPARE(waitFor(storage.accounts().list())->value().size(), 1);
        storage.cache()->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(waitFor(storage.loadCaches())->ok());
        QVERIFY(waitFor(storage.saveCaches())->ok());
        QVERIFY(storage.storageWarnings().isEmpty());
        QVERIFY(QDir(data.path()).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
        // Another "process" sees nothing.
        ProfileStorage other(QStringLiteral("memory"), options);
        QVERIFY(waitFor(other.accounts().list())->value().isEmpty());
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        qunsetenv("XDG_DATA_HOME");
    }

    // What a cached `azid-cli token` costs: the cache without CAE is loaded with one read of its key
    // from the keychain; the CAE cache's key is not read and its file neither read nor written.
    void requestWithoutCaeTouchesOneCache()
    {
        QTemporaryDir data;
        qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
        auto keys = std::make_shared<CountingSecretStore>();
        const QString profile = QStringLiteral("counting");
        {
            ProfileStorage writer(profile, ProfileStorage::TokenPersistence::Encrypted, keys);
            writer.cache()->add(tokenResponse(QStringLiteral("alice")));
            writer.caeCache()->add(tokenResponse(QStringLiteral("alice")));
            QVERIFY(waitFor(writer.saveCaches())->ok());
        }
        ProfileStorage reader(profile, ProfileStorage::TokenPersistence::Encrypted, keys);
        const QString caeFile = reader.cacheFilePaths().at(1);
        const QByteArray caeBefore = readFile(caeFile);
        QVERIFY(!caeBefore.isEmpty());
        keys->resetCounts();

        QVERIFY(waitFor(reader.loadCaches(ProfileStorage::Caches::WithoutCae))->ok());
        QVERIFY(hasRefreshToken(*reader.cache(), QStringLiteral("alice")));
        QVERIFY(reader.caeCache()->isEmpty());
        QCOMPARE(keys->reads(QStringLiteral("cache-key:azid.cache.nocae")), 1);
        QVERIFY(!reader.hasUnsavedChanges());
        QVERIFY(waitFor(reader.saveCaches())->ok());
        QCOMPARE(keys->reads(QStringLiteral("cache-key:azid.cache.cae")), 0);
        QCOMPARE(readFile(caeFile), caeBefore);

        // Loading both still brings in the CAE cache.
        QVERIFY(waitFor(reader.loadCaches())->ok());
        QVERIFY(hasRefreshToken(*reader.caeCache(), QStringLiteral("alice")));
        qunsetenv("XDG_DATA_HOME");
    }

    // A file decrypted with our key that still is no cache (a writer's bug): a clear error that says
    // what to do, on load and on save, and the file is never overwritten.
    void authenticatedFileThatIsNoCacheIsNeverOverwritten()
    {
        QTemporaryDir data;
        auto keys = std::make_shared<MemorySecretStore>();
        const Secret key = EncryptedCacheFile::generateKey();
        QVERIFY(waitFor(keys->write(QStringLiteral("cache-key:broken.nocae"), key))->ok());
        const QString path = data.filePath(QStringLiteral("broken.nocae.bin"));
        QVERIFY(EncryptedCacheFile(path).write(Secret(QByteArrayLiteral("{\"AccessToken\": {,}")), key).ok());
        const QByteArray before = readFile(path);

        auto cache = std::make_shared<TokenCache>();
        CachePersistence persistence(keys, cache, QStringLiteral("broken.nocae"), path);
        const auto loaded = waitFor(persistence.load());
        QVERIFY(loaded && !loaded->ok());
        QCOMPARE(storageFailure(loaded->error()), StorageFailure::CacheDamaged);
        QVERIFY2(loaded->error().message.contains(QStringLiteral("move it away")),
                 qPrintable(loaded->error().message));
        cache->add(tokenResponse(QStringLiteral("alice")));
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved && !saved->ok());
        QCOMPARE(storageFailure(saved->error()), StorageFailure::CacheDamaged);
        QCOMPARE(readFile(path), before);
    }

    // What KeychainSecretStore answers for a read of a locked keychain (it no longer says "not found"):
    // loading and saving change nothing stored, and no new key is written over the old one.
    void lockedKeychainChangesNothing()
    {
        QTemporaryDir data;
        auto keys = std::make_shared<MemorySecretStore>();
        const QString path = data.filePath(QStringLiteral("locked.nocae.bin"));
        auto cache = std::make_shared<TokenCache>();
        {
            CachePersistence persistence(keys, cache, QStringLiteral("locked.nocae"), path);
            cache->add(tokenResponse(QStringLiteral("alice")));
            QVERIFY(waitFor(persistence.save())->ok());
        }
        const QByteArray before = readFile(path);
        const auto keyBefore = keys->items().value(QStringLiteral("cache-key:locked.nocae"));

        keys->setFailure(
            storageError(StorageFailure::KeychainLocked, QStringLiteral("The keychain is locked (test).")));
        auto other = std::make_shared<TokenCache>();
        CachePersistence persistence(keys, other, QStringLiteral("locked.nocae"), path);
        const auto loaded = waitFor(persistence.load());
        QVERIFY(loaded && !loaded->ok());
        QCOMPARE(storageFailure(loaded->error()), StorageFailure::KeychainLocked);
        other->add(tokenResponse(QStringLiteral("bob")));
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved && !saved->ok());
        QCOMPARE(storageFailure(saved->error()), StorageFailure::KeychainLocked);
        QCOMPARE(readFile(path), before);
        QVERIFY(QDir(data.path()).entryList({QStringLiteral("*.corrupt-*")}, QDir::Files).isEmpty());

        // Unlocked: both sign-ins are there, the old key still opens the file.
        keys->setFailure(std::nullopt);
        QCOMPARE(keys->items().value(QStringLiteral("cache-key:locked.nocae")).reveal(), keyBefore.reveal());
        QVERIFY(waitFor(persistence.save())->ok());
        auto reader = std::make_shared<TokenCache>();
        QVERIFY(waitFor(CachePersistence(keys, reader, QStringLiteral("locked.nocae"), path).load())->ok());
        QVERIFY(hasRefreshToken(*reader, QStringLiteral("alice")));
        QVERIFY(hasRefreshToken(*reader, QStringLiteral("bob")));
    }

    // A key that is there and does not decrypt the file: real damage, set aside under the lock file.
    void wrongKeySetsTheFileAsideUnderTheLock()
    {
        QTemporaryDir data;
        auto keys = std::make_shared<MemorySecretStore>();
        const QString path = data.filePath(QStringLiteral("wrong.nocae.bin"));
        QVERIFY(EncryptedCacheFile(path)
                    .write(Secret(QByteArrayLiteral("{}")), EncryptedCacheFile::generateKey())
                    .ok());
        QVERIFY(
            waitFor(keys->write(QStringLiteral("cache-key:wrong.nocae"), EncryptedCacheFile::generateKey()))
                ->ok());
        // Someone else holds the lock: the file is not renamed under their feet.
        QFile lock(path + QStringLiteral(".lockfile"));
        QVERIFY(lock.open(QIODevice::WriteOnly));
        lock.write(QByteArray::number(qint64(::getpid())) + " other-process");
        lock.close();
        auto cache = std::make_shared<TokenCache>();
        CachePersistence persistence(keys, cache, QStringLiteral("wrong.nocae"), path);
        const auto blocked = waitFor(persistence.load());
        QVERIFY(blocked && !blocked->ok());
        QVERIFY(QFile::exists(path));
        QVERIFY(QFile::remove(lock.fileName()));
        const auto loaded = waitFor(persistence.load());
        QVERIFY(loaded && !loaded->ok());
        QCOMPARE(storageFailure(loaded->error()), StorageFailure::CacheDamaged);
        QVERIFY2(loaded->error().message.contains(QStringLiteral("Its key is in the keychain")),
                 qPrintable(loaded->error().message));
        QVERIFY(!QFile::exists(path));
        QCOMPARE(
            QDir(data.path()).entryList({QStringLiteral("wrong.nocae.bin.corrupt-*")}, QDir::Files).size(),
            1);
    }

    // The open keychain holds no key for the file: a load leaves it; the next save keeps it aside and
    // starts a new cache.
    void missingKeyLeavesTheFileUntilASave()
    {
        QTemporaryDir data;
        auto keys = std::make_shared<MemorySecretStore>();
        const QString path = data.filePath(QStringLiteral("nokey.nocae.bin"));
        QVERIFY(EncryptedCacheFile(path)
                    .write(Secret(QByteArrayLiteral("{}")), EncryptedCacheFile::generateKey())
                    .ok());
        auto cache = std::make_shared<TokenCache>();
        CachePersistence persistence(keys, cache, QStringLiteral("nokey.nocae"), path);
        const auto loaded = waitFor(persistence.load());
        QVERIFY(loaded && !loaded->ok());
        QCOMPARE(storageFailure(loaded->error()), StorageFailure::CacheKeyMissing);
        QVERIFY(QFile::exists(path));
        cache->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(waitFor(persistence.save())->ok());
        QCOMPARE(
            QDir(data.path()).entryList({QStringLiteral("nokey.nocae.bin.corrupt-*")}, QDir::Files).size(),
            1);
        auto reader = std::make_shared<TokenCache>();
        QVERIFY(waitFor(CachePersistence(keys, reader, QStringLiteral("nokey.nocae"), path).load())->ok());
        QVERIFY(hasRefreshToken(*reader, QStringLiteral("alice")));
    }

    void copyAccountIntoTheSharedCache()
    {
        TokenCache from;
        from.add(tokenResponse(QStringLiteral("alice")));
        from.add(tokenResponse(QStringLiteral("bob")));
        TokenCache to;
        to.add(tokenResponse(QStringLiteral("carol")));
        SharedTokenCache::copyAccount(from, to, QStringLiteral("alice.tenant"));
        QVERIFY(hasRefreshToken(to, QStringLiteral("alice")));
        QVERIFY(hasRefreshToken(to, QStringLiteral("carol")));
        QVERIFY(!hasRefreshToken(to, QStringLiteral("bob")));
        QCOMPARE(to.accounts().size(), 2);
        const QJsonObject json = QJsonDocument::fromJson(to.serialize()).object();
        QCOMPARE(json.value(QStringLiteral("AppMetadata")).toObject().size(), 1);
        const quint64 before = to.generation();
        SharedTokenCache::copyAccount(from, to, QStringLiteral("nobody.tenant"));
        QCOMPARE(to.generation(), before); // nothing to copy: nothing changes
    }
};

QTEST_GUILESS_MAIN(TestCacheStorage)
#include "tst_cachestorage.moc"
