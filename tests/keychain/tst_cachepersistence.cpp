// CachePersistence over the in-memory store: key creation, sync and merge between "processes" (two
// persistences on one file), damage, unavailable keychain, the lock, and logs free of secrets.
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/encryptedcachefile.h"
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/storagefailure.h"
#include "azid/tokencache.h"
#include "filelock.h"
#include "keychaintesthelpers.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QPromise>
#include <QTemporaryDir>
#include <QTest>

using namespace azid;
using namespace std::chrono_literals;
using azid::keychaintest::hasRefreshToken;
using azid::keychaintest::tokenResponse;
using azid::keychaintest::waitFor;

namespace {

// Holds back reads until resume(), to look at what happens while the keychain is busy.
class PausedSecretStore final : public SecretStore
{
public:
    QFuture<SecretResult> read(const QString &key) override
    {
        auto promise = std::make_shared<QPromise<SecretResult>>();
        promise->start();
        m_pending.append({key, promise});
        return promise->future();
    }
    QFuture<VoidResult> write(const QString &key, const Secret &secret) override
    {
        return m_inner.write(key, secret);
    }
    QFuture<VoidResult> remove(const QString &key) override { return m_inner.remove(key); }

    int pendingCount() const { return int(m_pending.size()); }
    void resume()
    {
        const auto pending = std::exchange(m_pending, {});
        for (const auto &[key, promise] : pending) {
            promise->addResult(m_inner.read(key).result());
            promise->finish();
        }
    }

private:
    MemorySecretStore m_inner;
    QList<std::pair<QString, std::shared_ptr<QPromise<SecretResult>>>> m_pending;
};

QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    capturedLog << message;
    if (previousHandler)
        previousHandler(type, context, message);
}

} // namespace

class TestCachePersistence : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    QString freshPath()
    {
        return m_dir.filePath(QStringLiteral("p%1/msal.cache.nocae.bin").arg(++m_counter));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QLoggingCategory::setFilterRules(QStringLiteral("azid.*=true"));
        previousHandler = qInstallMessageHandler(captureMessage);
    }

    void cleanupTestCase()
    {
        qInstallMessageHandler(previousHandler);
        // Whatever the tests logged, no token and no key appeared in it.
        const QString all = capturedLog.join(QLatin1Char('\n'));
        QVERIFY(!capturedLog.isEmpty());
        QVERIFY(!all.contains(QStringLiteral("rt-secret")));
        QVERIFY(!all.contains(QStringLiteral("at-secret")));
    }

    void firstSaveCreatesKeyAndFile()
    {
        auto store = std::make_shared<MemorySecretStore>();
        auto cache = std::make_shared<TokenCache>();
        const QString path = freshPath();
        CachePersistence persistence(store, cache, QStringLiteral("msal.cache.nocae"), path);
        QCOMPARE(persistence.keyName(), QStringLiteral("cache-key:msal.cache.nocae"));
        cache->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(persistence.hasUnsavedChanges());

        const auto saved = waitFor(persistence.save());
        QVERIFY2(saved && saved->ok(), azid::keychaintest::describe(saved).constData());
        QVERIFY(!persistence.hasUnsavedChanges());
        const Secret key = store->items().value(persistence.keyName());
        QCOMPARE(key.size(), EncryptedCacheFile::KeySize);
        QVERIFY(QFile::exists(path));
        QVERIFY(!QFile::exists(path + QStringLiteral(".lockfile")));

        // What a restart sees.
        auto restarted = std::make_shared<TokenCache>();
        CachePersistence again(store, restarted, QStringLiteral("msal.cache.nocae"), path);
        QVERIFY(waitFor(again.load())->ok());
        QVERIFY(hasRefreshToken(*restarted, QStringLiteral("alice")));
        QVERIFY(!again.hasUnsavedChanges());
    }

    void unchangedCacheIsNotRewritten()
    {
        auto store = std::make_shared<MemorySecretStore>();
        auto cache = std::make_shared<TokenCache>();
        CachePersistence persistence(store, cache, QStringLiteral("c"), freshPath());
        cache->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(waitFor(persistence.save())->ok());
        const FileStamp first = FileStamp::of(persistence.filePath());
        QVERIFY(waitFor(persistence.save())->ok());
        QVERIFY(waitFor(persistence.load())->ok());
        QCOMPARE(FileStamp::of(persistence.filePath()), first);
    }

    void missingFileLoadsAsEmpty()
    {
        auto cache = std::make_shared<TokenCache>();
        CachePersistence persistence(std::make_shared<MemorySecretStore>(), cache, QStringLiteral("c"),
                                     freshPath());
        QVERIFY(waitFor(persistence.load())->ok());
        QVERIFY(cache->accounts().isEmpty());
    }

    // Two processes (here: two persistences on one file) each add an account; neither loses the other's.
    void writersMerge()
    {
        auto store = std::make_shared<MemorySecretStore>();
        const QString path = freshPath();
        auto cacheA = std::make_shared<TokenCache>();
        auto cacheB = std::make_shared<TokenCache>();
        CachePersistence a(store, cacheA, QStringLiteral("c"), path);
        CachePersistence b(store, cacheB, QStringLiteral("c"), path);
        QVERIFY(waitFor(a.load())->ok());
        QVERIFY(waitFor(b.load())->ok());

        cacheA->add(tokenResponse(QStringLiteral("alice")));
        cacheB->add(tokenResponse(QStringLiteral("bob")));
        QVERIFY(waitFor(a.save())->ok());
        QVERIFY(waitFor(b.save())->ok());
        // B's save brought Alice into B's cache too, and wrote both.
        QVERIFY(hasRefreshToken(*cacheB, QStringLiteral("alice")));
        QVERIFY(hasRefreshToken(*cacheB, QStringLiteral("bob")));
        QVERIFY(waitFor(a.load())->ok());
        QVERIFY(hasRefreshToken(*cacheA, QStringLiteral("bob")));

        // A refresh token rotated in A survives B saving an unrelated change.
        const auto alice = tokenResponse(QStringLiteral("alice"));
        const auto old = cacheA->findRefreshToken(alice.homeAccountId, alice.environment, alice.clientId);
        QVERIFY(old);
        cacheA->updateRefreshToken(*old, Secret::fromString(QStringLiteral("rt-secret-rotated")), 1700000100);
        QVERIFY(waitFor(a.save())->ok());
        cacheB->add(tokenResponse(QStringLiteral("bob"), QStringLiteral("mail.read")));
        QVERIFY(waitFor(b.save())->ok());
        const auto seenByB = cacheB->findRefreshToken(alice.homeAccountId, alice.environment, alice.clientId);
        QVERIFY(seenByB);
        QCOMPARE(seenByB->secret, Secret::fromString(QStringLiteral("rt-secret-rotated")));

        // A removal in one process sticks, and is not undone by the other's next save. (Load first: a
        // removal only covers the entries this process knows of.)
        const auto bob = tokenResponse(QStringLiteral("bob"));
        QVERIFY(waitFor(a.load())->ok());
        cacheA->removeAccount(bob.homeAccountId, bob.environment, bob.clientId);
        QVERIFY(waitFor(a.save())->ok());
        cacheB->add(tokenResponse(QStringLiteral("carol")));
        QVERIFY(waitFor(b.save())->ok());
        QVERIFY(!hasRefreshToken(*cacheB, QStringLiteral("bob")));
        QVERIFY(hasRefreshToken(*cacheB, QStringLiteral("carol")));
        QVERIFY(waitFor(a.load())->ok());
        QVERIFY(!hasRefreshToken(*cacheA, QStringLiteral("bob")));
        QVERIFY(hasRefreshToken(*cacheA, QStringLiteral("carol")));
    }

    // A load between a local change and its save keeps that change unsaved, and the next save writes it
    // even when another process wrote meanwhile (a rotated refresh token must never be dropped).
    void loadKeepsLocalChangesUnsaved()
    {
        auto store = std::make_shared<MemorySecretStore>();
        const QString path = freshPath();
        auto cacheA = std::make_shared<TokenCache>();
        auto cacheB = std::make_shared<TokenCache>();
        CachePersistence a(store, cacheA, QStringLiteral("c"), path);
        CachePersistence b(store, cacheB, QStringLiteral("c"), path);
        cacheB->add(tokenResponse(QStringLiteral("bob")));
        QVERIFY(waitFor(b.save())->ok());

        cacheA->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(waitFor(a.load())->ok());
        QVERIFY(a.hasUnsavedChanges());
        QVERIFY(hasRefreshToken(*cacheA, QStringLiteral("bob")));
        cacheB->add(tokenResponse(QStringLiteral("carol")));
        QVERIFY(waitFor(b.save())->ok());
        QVERIFY(waitFor(a.save())->ok());
        QVERIFY(!a.hasUnsavedChanges());

        auto reader = std::make_shared<TokenCache>();
        CachePersistence check(store, reader, QStringLiteral("c"), path);
        QVERIFY(waitFor(check.load())->ok());
        for (const char *user : {"alice", "bob", "carol"})
            QVERIFY2(hasRefreshToken(*reader, QString::fromLatin1(user)), user);
        QVERIFY(!check.hasUnsavedChanges());
    }

    void damagedFileIsKeptAsideAndReplacedOnSave()
    {
        auto store = std::make_shared<MemorySecretStore>();
        auto cache = std::make_shared<TokenCache>();
        const QString path = freshPath();
        CachePersistence persistence(store, cache, QStringLiteral("c"), path);
        cache->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(waitFor(persistence.save())->ok());

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.seek(30);
        file.write("XX");
        file.close();

        auto other = std::make_shared<TokenCache>();
        CachePersistence reader(store, other, QStringLiteral("c"), path);
        const auto loaded = waitFor(reader.load());
        QVERIFY(loaded && !loaded->ok());
        QVERIFY(loaded->error().message.contains(QStringLiteral("cannot be decrypted")));
        QVERIFY(!QFile::exists(path));
        const QStringList kept =
            QDir(QFileInfo(path).path()).entryList({QStringLiteral("*.corrupt-*")}, QDir::Files);
        QCOMPARE(kept.size(), 1);

        // The next save writes a fresh file from memory; the damaged copy stays.
        cache->add(tokenResponse(QStringLiteral("bob")));
        QVERIFY(waitFor(persistence.save())->ok());
        QVERIFY(waitFor(reader.load())->ok());
        QVERIFY(hasRefreshToken(*other, QStringLiteral("alice")));
        QVERIFY(hasRefreshToken(*other, QStringLiteral("bob")));
        QVERIFY(QFile::exists(QFileInfo(path).dir().filePath(kept.first())));
    }

    // The open keychain holds no key for the file: a load leaves it where it is and says so; the next
    // save keeps it aside and starts a new cache (tst_cachestorage has the save).
    void missingKeyLeavesTheFileOnLoad()
    {
        auto store = std::make_shared<MemorySecretStore>();
        auto cache = std::make_shared<TokenCache>();
        const QString path = freshPath();
        CachePersistence persistence(store, cache, QStringLiteral("c"), path);
        cache->add(tokenResponse(QStringLiteral("alice")));
        QVERIFY(waitFor(persistence.save())->ok());
        QVERIFY(waitFor(store->remove(persistence.keyName()))->ok());

        CachePersistence reader(store, std::make_shared<TokenCache>(), QStringLiteral("c"), path);
        const auto loaded = waitFor(reader.load());
        QVERIFY(loaded && !loaded->ok());
        QCOMPARE(storageFailure(loaded->error()), StorageFailure::CacheKeyMissing);
        QVERIFY2(loaded->error().message.contains(
                     QStringLiteral("its key (keychain item 'cache-key:c') is not in the keychain")),
                 qPrintable(loaded->error().message));
        QVERIFY(QFile::exists(path));
        QVERIFY(
            QDir(QFileInfo(path).path()).entryList({QStringLiteral("*.corrupt-*")}, QDir::Files).isEmpty());
    }

    void unavailableKeychainWritesNothing()
    {
        auto store = std::make_shared<MemorySecretStore>();
        store->setFailure(
            AuthError::unavailable(QStringLiteral("No keychain (Secret Service) is reachable.")));
        auto cache = std::make_shared<TokenCache>();
        const QString path = freshPath();
        CachePersistence persistence(store, cache, QStringLiteral("c"), path);
        cache->add(tokenResponse(QStringLiteral("alice")));
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved && !saved->ok());
        QCOMPARE(saved->error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY(saved->error().message.startsWith(QStringLiteral("No keychain")));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!QFile::exists(path + QStringLiteral(".lockfile")));
        QVERIFY(persistence.hasUnsavedChanges());
    }

    void lockIsHeldAcrossTheKeychainRoundTrip()
    {
        auto store = std::make_shared<PausedSecretStore>();
        auto cache = std::make_shared<TokenCache>();
        const QString path = freshPath();
        CachePersistence persistence(store, cache, QStringLiteral("c"), path);
        cache->add(tokenResponse(QStringLiteral("alice")));
        QFuture<VoidResult> saved = persistence.save();
        QFuture<VoidResult> loaded = persistence.load(); // queued behind the save
        QCOMPARE(store->pendingCount(), 1);
        QVERIFY(!saved.isFinished());
        QVERIFY(QFile::exists(path + QStringLiteral(".lockfile")));
        store->resume();
        QVERIFY(waitFor(saved)->ok());
        QVERIFY(!QFile::exists(path + QStringLiteral(".lockfile")));
        QVERIFY(QFile::exists(path));
        // The load found the file as the save left it: nothing to read, no keychain access.
        QVERIFY(waitFor(loaded)->ok());
        QCOMPARE(store->pendingCount(), 0);
    }

    void lockedByAnotherWriter()
    {
        auto store = std::make_shared<MemorySecretStore>();
        auto cache = std::make_shared<TokenCache>();
        const QString path = freshPath();
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        const auto held = detail::FileLock::acquire(path + QStringLiteral(".lockfile"), 1s);
        QVERIFY(held);
        CachePersistence persistence(store, cache, QStringLiteral("c"), path);
        persistence.setLockTimeout(200ms);
        cache->add(tokenResponse(QStringLiteral("alice")));
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved && !saved->ok());
        QVERIFY(saved->error().message.contains(QStringLiteral("locked by another process")));
        QVERIFY(persistence.hasUnsavedChanges());
        held.value()->release();
        QVERIFY(waitFor(persistence.save())->ok());
    }

    void invalidName()
    {
        CachePersistence persistence(std::make_shared<MemorySecretStore>(), std::make_shared<TokenCache>(),
                                     QStringLiteral("../x"), freshPath());
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved && !saved->ok());
        QVERIFY(saved->error().message.contains(QStringLiteral("not a valid token cache name")));
    }
};

QTEST_GUILESS_MAIN(TestCachePersistence)
#include "tst_cachepersistence.moc"
