// KeychainSecretStore, MsalExtensionsPersistence and KeychainAvailability against a real Secret
// Service (gnome-keyring). Run through run-with-keyring.sh, which gives it a private bus and a throwaway
// keyring; run directly, it refuses to start rather than write into your own keyring.

// libsecret (to look at what is stored without Azid's code) before Qt: Qt's "signals" breaks GIO.
#include <libsecret/secret.h>

#include "azid/keychain/accountstore.h"
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/encryptedcachefile.h"
#include "azid/keychain/keychainavailability.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/msalextensionspersistence.h"
#include "azid/keychain/profilestorage.h"
#include "azid/keychain/storagefailure.h"
#include "azid/tokencache.h"
#include "filelock.h"
#include "keychaintesthelpers.h"
#include "keyringcontrol.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace azid;
using namespace std::chrono_literals;
using azid::keychaintest::hasRefreshToken;
using azid::keychaintest::tokenResponse;
using azid::keychaintest::waitFor;

namespace {

QByteArray allByteValues()
{
    QByteArray bytes;
    for (int i = 0; i < 256; ++i)
        bytes.append(char(i));
    return bytes;
}

// An item as the Secret Service holds it, read through libsecret (not through Azid's code).
struct KeyringItem
{
    QString label;
    QString schema;
    QHash<QString, QString> attributes;
    QByteArray secret;
};

// Every item whose attributes match, whatever its schema.
QList<KeyringItem> searchItems(const QList<QPair<QString, QString>> &attributes)
{
    GHashTable *query = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (const auto &[name, value] : attributes)
        g_hash_table_insert(query, g_strdup(name.toUtf8().constData()), g_strdup(value.toUtf8().constData()));
    GError *error = nullptr;
    GList *found = secret_service_search_sync(
        nullptr, nullptr, query,
        SecretSearchFlags(SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS), nullptr,
        &error);
    g_hash_table_unref(query);
    QList<KeyringItem> items;
    if (error) {
        qWarning("secret_service_search_sync: %s", error->message);
        g_error_free(error);
        return items;
    }
    for (GList *node = found; node; node = node->next) {
        auto *item = static_cast<SecretItem *>(node->data);
        KeyringItem entry;
        gchar *label = secret_item_get_label(item);
        entry.label = QString::fromUtf8(label);
        g_free(label);
        gchar *schema = secret_item_get_schema_name(item);
        entry.schema = QString::fromUtf8(schema);
        g_free(schema);
        GHashTable *itemAttributes = secret_item_get_attributes(item);
        GHashTableIter iterator;
        gpointer key = nullptr, value = nullptr;
        g_hash_table_iter_init(&iterator, itemAttributes);
        while (g_hash_table_iter_next(&iterator, &key, &value)) {
            entry.attributes.insert(QString::fromUtf8(static_cast<const char *>(key)),
                                    QString::fromUtf8(static_cast<const char *>(value)));
        }
        g_hash_table_unref(itemAttributes);
        if (SecretValue *secret = secret_item_get_secret(item)) {
            gsize length = 0;
            const gchar *bytes = secret_value_get(secret, &length);
            entry.secret = QByteArray(bytes, qsizetype(length));
            secret_value_unref(secret);
        }
        items.append(entry);
    }
    g_list_free_full(found, g_object_unref);
    return items;
}

const QList<QPair<QString, QString>> msalAttribute{
    {QStringLiteral("MsalClientID"), QStringLiteral("Microsoft.Developer.IdentityService")}};

} // namespace

class TestSecretService : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(
            qEnvironmentVariable("AZID_TEST_KEYRING") == QLatin1String("unlocked"),
            "Needs run-with-keyring.sh (a private bus and keyring); it will not touch your own keyring.");
    }

    void writeReadRemove_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("text") << QByteArray("hello, keychain");
        QTest::newRow("every byte value") << allByteValues();
        QTest::newRow("largest item") << QByteArray(SecretStore::MaxItemSize, 'k');
    }

    void writeReadRemove()
    {
        QFETCH(QByteArray, value);
        KeychainSecretStore store;
        QCOMPARE(store.service(), QStringLiteral("azid"));
        const QString key = QStringLiteral("test:%1").arg(QString::fromLatin1(QTest::currentDataTag()));
        const auto written = waitFor(store.write(key, Secret(value)));
        QVERIFY2(written && written->ok(), azid::keychaintest::describe(written).constData());
        const auto read = waitFor(store.read(key));
        QVERIFY(read && read->ok() && read->value());
        QCOMPARE(read->value()->reveal(), value);
        QVERIFY(waitFor(store.remove(key))->ok());
        const auto gone = waitFor(store.read(key));
        QVERIFY(gone && gone->ok());
        QVERIFY(!gone->value().has_value());
    }

    void absenceIsNotAnError()
    {
        KeychainSecretStore store;
        const auto read = waitFor(store.read(QStringLiteral("test:never-written")));
        QVERIFY(read);
        QVERIFY2(read->ok(), azid::keychaintest::describe(read).constData());
        QVERIFY(!read->value().has_value());
        const auto removed = waitFor(store.remove(QStringLiteral("test:never-written")));
        QVERIFY(removed && removed->ok());
    }

    void profilesAreIsolated()
    {
        KeychainSecretStore defaultProfile;
        KeychainSecretStore work(QStringLiteral("work"));
        QCOMPARE(work.service(), QStringLiteral("azid-work"));
        const QString key = QStringLiteral("test:shared-name");
        QVERIFY(
            waitFor(defaultProfile.write(key, Secret::fromString(QStringLiteral("default value"))))->ok());
        QVERIFY(!waitFor(work.read(key))->value().has_value());
        QVERIFY(waitFor(work.write(key, Secret::fromString(QStringLiteral("work value"))))->ok());
        QCOMPARE(waitFor(defaultProfile.read(key))->value()->revealString(), QStringLiteral("default value"));
        QCOMPARE(waitFor(work.read(key))->value()->revealString(), QStringLiteral("work value"));
        QVERIFY(waitFor(work.remove(key))->ok());
        QCOMPARE(waitFor(defaultProfile.read(key))->value()->revealString(), QStringLiteral("default value"));
        QVERIFY(waitFor(defaultProfile.remove(key))->ok());
    }

    void oversizedItemIsRefused()
    {
        KeychainSecretStore store;
        const auto written = waitFor(
            store.write(QStringLiteral("test:big"), Secret(QByteArray(SecretStore::MaxItemSize + 1, 'x'))));
        QVERIFY(written && !written->ok());
        QVERIFY(written->error().message.contains(QStringLiteral("too large")));
        QVERIFY(!waitFor(store.read(QStringLiteral("test:big")))->value().has_value());
    }

    // What Azid keeps in the keychain survives a new store (a restart), and every item stays small.
    void accountsAndCacheKeyInTheKeychain()
    {
        auto store = std::make_shared<KeychainSecretStore>(QStringLiteral("accounts-test"));
        AccountStore accounts(store);
        AuthenticationRecord record;
        record.authority = QStringLiteral("login.microsoftonline.com");
        record.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
        record.homeAccountId =
            QStringLiteral("11111111-2222-3333-4444-555555555555.72f988bf-86f1-41af-91ab-2d7cd011db47");
        record.tenantId = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
        record.username = QStringLiteral("alice@example.com");
        AccountMetadata metadata;
        metadata.signInMethod = QStringLiteral("browser");
        metadata.authorityUrl = QStringLiteral("https://login.microsoftonline.com/common");
        metadata.lastSignIn = 1700000000;
        metadata.isDefault = true;
        const auto put = waitFor(accounts.put(record, metadata));
        QVERIFY2(put && put->ok(), azid::keychaintest::describe(put).constData());

        QTemporaryDir dir;
        auto cache = std::make_shared<TokenCache>();
        cache->add(tokenResponse(QStringLiteral("alice")));
        CachePersistence persistence(store, cache, QStringLiteral("msal.cache.nocae"),
                                     dir.filePath(QStringLiteral("msal.cache.nocae.bin")));
        const auto saved = waitFor(persistence.save());
        QVERIFY2(saved && saved->ok(), azid::keychaintest::describe(saved).constData());

        auto restartedStore = std::make_shared<KeychainSecretStore>(QStringLiteral("accounts-test"));
        AccountStore restarted(restartedStore);
        const auto listed = waitFor(restarted.list());
        QVERIFY(listed && listed->ok());
        QCOMPARE(listed->value().size(), 1);
        QCOMPARE(listed->value().first().record, record);
        QCOMPARE(listed->value().first().metadata, metadata);

        auto reloaded = std::make_shared<TokenCache>();
        CachePersistence again(restartedStore, reloaded, QStringLiteral("msal.cache.nocae"),
                               dir.filePath(QStringLiteral("msal.cache.nocae.bin")));
        QVERIFY(waitFor(again.load())->ok());
        QVERIFY(hasRefreshToken(*reloaded, QStringLiteral("alice")));

        for (const QString &key : {AccountStore::indexKey(0), AccountStore::accountKey(record.homeAccountId),
                                   persistence.keyName()}) {
            const auto item = waitFor(restartedStore->read(key));
            QVERIFY(item && item->ok() && item->value());
            QVERIFY2(item->value()->size() <= SecretStore::MaxItemSize, qPrintable(key));
        }
        QCOMPARE(waitFor(restartedStore->read(persistence.keyName()))->value()->size(),
                 EncryptedCacheFile::KeySize);

        QVERIFY(waitFor(restarted.remove(record.homeAccountId))->ok());
        QVERIFY(!waitFor(restartedStore->read(AccountStore::accountKey(record.homeAccountId)))->value());
    }

    // Saves in a row, as a refresh after a sign-in makes them: the lock of one is kept until its
    // keychain job has really ended (so that a late write stays under it), and the next must wait for
    // that in the event loop, not block the thread the job needs and run into its lock timeout.
    void savesInARowDoNotWaitForTheirOwnLock()
    {
        auto store = std::make_shared<KeychainSecretStore>(QStringLiteral("saves-in-a-row"));
        QTemporaryDir dir;
        auto cache = std::make_shared<TokenCache>();
        CachePersistence persistence(store, cache, QStringLiteral("msal.cache.nocae"),
                                     dir.filePath(QStringLiteral("msal.cache.nocae.bin")));
        persistence.setLockTimeout(std::chrono::milliseconds(1500));
        QList<QFuture<VoidResult>> saves;
        for (const QString &user :
             {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")}) {
            cache->add(tokenResponse(user));
            saves << persistence.save();
        }
        for (const QFuture<VoidResult> &save : saves) {
            const auto saved = waitFor(save);
            QVERIFY2(saved && saved->ok(), azid::keychaintest::describe(saved).constData());
        }
        auto reloaded = std::make_shared<TokenCache>();
        CachePersistence reader(store, reloaded, QStringLiteral("msal.cache.nocae"),
                                dir.filePath(QStringLiteral("msal.cache.nocae.bin")));
        QVERIFY(waitFor(reader.load())->ok());
        for (const QString &user : {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol")})
            QVERIFY2(hasRefreshToken(*reloaded, user), qPrintable(user));
    }

    // A keychain that does not answer (here: its daemon stopped) gets a timeout error; the job is left
    // running, and once the keychain answers, the write lands.
    void timeoutLeavesTheJobToFinish()
    {
        const qint64 daemon = qEnvironmentVariable("AZID_TEST_SECRET_SERVICE_PID").toLongLong();
        QVERIFY2(daemon > 0, "run-with-keyring.sh did not say which process serves the keychain");
        KeychainSecretStore impatient(QString(), 300ms);
        KeychainSecretStore patient;
        const QString key = QStringLiteral("test:late-write");

        QCOMPARE(::kill(pid_t(daemon), SIGSTOP), 0);
        const auto written = waitFor(impatient.write(key, Secret::fromString(QStringLiteral("late"))));
        QCOMPARE(::kill(pid_t(daemon), SIGCONT), 0);
        QVERIFY(written && !written->ok());
        QCOMPARE(written->error().kind, ErrorKind::CredentialUnavailable);
        QCOMPARE(storageFailure(written->error()), StorageFailure::KeychainTimeout);
        QVERIFY2(
            written->error().message.startsWith(QStringLiteral("The keychain did not answer within 0.3 s")),
            qPrintable(written->error().message));

        // QtKeychain runs jobs in order, so this read comes after the abandoned write has finished.
        const auto read = waitFor(patient.read(key));
        QVERIFY(read && read->ok() && read->value());
        QCOMPARE(read->value()->revealString(), QStringLiteral("late"));
        QVERIFY(waitFor(patient.remove(key))->ok());
    }

    // azure.identity's cache as msal-extensions keeps it: schema = cache name, attribute MsalClientID,
    // label MSALCache, default collection, an empty signal file touched after each write.
    void msalExtensionsItem()
    {
        QTemporaryDir home;
        auto cache = std::make_shared<TokenCache>();
        cache->add(tokenResponse(QStringLiteral("alice")));
        auto storage =
            std::make_shared<MsalExtensionsPersistence>(QStringLiteral("azid-test.nocae"), home.path());
        CachePersistence persistence(cache, storage, QStringLiteral("azid-test.nocae"));
        const auto saved = waitFor(persistence.save());
        QVERIFY2(saved && saved->ok(), azid::keychaintest::describe(saved).constData());

        const QList<KeyringItem> items = searchItems(msalAttribute);
        QCOMPARE(items.size(), 1);
        QCOMPARE(items.first().label, QStringLiteral("MSALCache"));
        QCOMPARE(items.first().schema, QStringLiteral("azid-test.nocae"));
        // MsalClientID, and the schema name that libsecret adds as xdg:schema: nothing else.
        QCOMPARE(items.first().attributes.value(QStringLiteral("MsalClientID")),
                 QStringLiteral("Microsoft.Developer.IdentityService"));
        QCOMPARE(items.first().attributes.value(QStringLiteral("xdg:schema")),
                 QStringLiteral("azid-test.nocae"));
        QCOMPARE(items.first().attributes.size(), 2);
        const QJsonObject json = QJsonDocument::fromJson(items.first().secret).object();
        QVERIFY(json.value(QStringLiteral("RefreshToken")).toObject().size() == 1);

        const QFileInfo signal(storage->signalFilePath());
        QVERIFY(signal.exists());
        QCOMPARE(signal.size(), 0);
        QCOMPARE(signal.path(), home.path());
        QVERIFY(!QFile::exists(storage->lockFilePath()));

        // Another process (a second persistence) loads it.
        auto other = std::make_shared<TokenCache>();
        CachePersistence reader(
            other,
            std::make_shared<MsalExtensionsPersistence>(QStringLiteral("azid-test.nocae"), home.path()),
            QStringLiteral("azid-test.nocae"));
        QVERIFY(waitFor(reader.load())->ok());
        QVERIFY(hasRefreshToken(*other, QStringLiteral("alice")));
        QVERIFY(waitFor(storage->clear())->ok());
    }

    void damagedMsalExtensionsItemIsKeptAside()
    {
        QTemporaryDir home;
        auto storage =
            std::make_shared<MsalExtensionsPersistence>(QStringLiteral("azid-damaged.nocae"), home.path());
        // What a broken writer left: not JSON.
        QVERIFY(waitFor(storage->write(Secret(QByteArrayLiteral("{\"AccessToken\": {")), {}))->ok());
        auto cache = std::make_shared<TokenCache>();
        CachePersistence persistence(cache, storage, QStringLiteral("azid-damaged.nocae"));
        const auto loaded = waitFor(persistence.load());
        QVERIFY(loaded && !loaded->ok());
        QCOMPARE(storageFailure(loaded->error()), StorageFailure::CacheDamaged);
        QVERIFY2(loaded->error().message.contains(QStringLiteral("azid-damaged.nocae.corrupt-")),
                 qPrintable(loaded->error().message));
        int kept = 0;
        for (const KeyringItem &item : searchItems(msalAttribute))
            kept += item.schema.startsWith(QStringLiteral("azid-damaged.nocae.corrupt-")) ? 1 : 0;
        QCOMPARE(kept, 1);
        // The next save writes a fresh cache.
        cache->add(tokenResponse(QStringLiteral("bob")));
        QVERIFY(waitFor(persistence.save())->ok());
        QVERIFY(waitFor(persistence.load())->ok());
    }

    // A Secret Service that does not answer: the libsecret call is abandoned, not cancelled; the lock
    // it was given stays held until the write has really finished, and then the late write lands.
    void lateLibsecretWriteKeepsTheLock()
    {
        const qint64 daemon = qEnvironmentVariable("AZID_TEST_SECRET_SERVICE_PID").toLongLong();
        QVERIFY(daemon > 0);
        QTemporaryDir home;
        auto storage = std::make_shared<MsalExtensionsPersistence>(QStringLiteral("azid-late.nocae"),
                                                                   home.path(), 300ms);
        auto lock = detail::FileLock::acquire(storage->lockFilePath(), 1s);
        QVERIFY(lock);
        auto cache = std::make_shared<TokenCache>();
        cache->add(tokenResponse(QStringLiteral("carol")));

        QCOMPARE(::kill(pid_t(daemon), SIGSTOP), 0);
        auto pending = storage->write(Secret(cache->serialize()), lock.value());
        lock = AuthError(); // the write holds the only reference now
        const auto written = waitFor(pending);
        const bool lockHeldWhileLate = QFile::exists(storage->lockFilePath());
        QCOMPARE(::kill(pid_t(daemon), SIGCONT), 0);
        QVERIFY(written && !written->ok());
        QCOMPARE(storageFailure(written->error()), StorageFailure::KeychainTimeout);
        QVERIFY(lockHeldWhileLate);
        QVERIFY(QTest::qWaitFor([&] { return !QFile::exists(storage->lockFilePath()); }, 30000));

        auto reader = std::make_shared<TokenCache>();
        CachePersistence other(
            reader,
            std::make_shared<MsalExtensionsPersistence>(QStringLiteral("azid-late.nocae"), home.path()),
            QStringLiteral("azid-late.nocae"));
        QVERIFY(waitFor(other.load())->ok());
        QVERIFY(hasRefreshToken(*reader, QStringLiteral("carol")));
        QVERIFY(waitFor(storage->clear())->ok());
    }

    void availableAtOnceWhenUnlocked()
    {
        KeychainAvailability watcher;
        QSignalSpy available(&watcher, &KeychainAvailability::available);
        watcher.start();
        QVERIFY(available.wait(30000));
        QVERIFY(watcher.isAvailable());
        QCOMPARE(watcher.attempts(), 1);
    }

    // Every item Azid writes stays under 2 KB (Windows caps a credential near 2.5 KB): account records
    // (with long names and paths), the index pages, the cache keys.
    void everyItemIsSmall()
    {
        QTemporaryDir data;
        qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
        ProfileStorage storage(QStringLiteral("itemsize"));
        for (int i = 0; i < 40; ++i) {
            AuthenticationRecord record;
            record.authority = QStringLiteral("login.microsoftonline.com");
            record.clientId = QStringLiteral("04b07795-8ddb-461a-bbee-02f9e1bf7b46");
            record.homeAccountId =
                QStringLiteral("%1-2222-3333-4444-555555555555.72f988bf-86f1-41af-91ab-2d7cd011db47")
                    .arg(10000000 + i);
            record.tenantId = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
            record.username = QString(200, QLatin1Char('u')) + QStringLiteral("%1@example.com").arg(i);
            AccountMetadata metadata;
            metadata.signInMethod = QStringLiteral("device-code");
            metadata.authorityUrl = QStringLiteral("https://login.microsoftonline.com");
            metadata.caBundle =
                QStringLiteral("/etc/ssl/") + QString(400, QLatin1Char('c')) + QStringLiteral(".pem");
            metadata.isDefault = i == 0;
            const auto put = waitFor(storage.accounts().put(record, metadata));
            QVERIFY2(put && put->ok(), azid::keychaintest::describe(put).constData());
            storage.cache()->add(tokenResponse(QStringLiteral("user%1").arg(i)));
            storage.caeCache()->add(tokenResponse(QStringLiteral("user%1").arg(i)));
        }
        QVERIFY(waitFor(storage.saveCaches())->ok());

        // Item by item, through libsecret: QtKeychain keeps binary data base64-encoded.
        const QList<KeyringItem> items =
            searchItems({{QStringLiteral("server"), QStringLiteral("azid-itemsize")}});
        int accounts = 0, userItems = 0, indexPages = 0, summaryPages = 0, cacheKeys = 0;
        for (const KeyringItem &item : items) {
            const QString key = item.attributes.value(QStringLiteral("user"));
            const QByteArray raw = item.attributes.value(QStringLiteral("type")) == QLatin1String("base64")
                                       ? QByteArray::fromBase64(item.secret)
                                       : item.secret;
            QVERIFY2(!raw.isEmpty(), qPrintable(key));
            QVERIFY2(raw.size() < 2048, qPrintable(QStringLiteral("%1: %2 bytes").arg(key).arg(raw.size())));
            accounts += key.startsWith(QStringLiteral("account:")) ? 1 : 0;
            userItems += key.startsWith(QStringLiteral("account-user:")) ? 1 : 0;
            indexPages += key.startsWith(QStringLiteral("account-index:")) ? 1 : 0;
            summaryPages += key.startsWith(QStringLiteral("account-summaries:")) ? 1 : 0;
            cacheKeys += key.startsWith(QStringLiteral("cache-key:")) ? 1 : 0;
        }
        QCOMPARE(accounts, 40);
        QCOMPARE(userItems, 40);  // one per user name, for finding an account in a few reads
        QVERIFY(indexPages >= 2); // the index had to be split
        QCOMPARE(cacheKeys, 2);   // azid.cache.nocae and azid.cache.cae
        // What a list reads instead of the 40 account items: compressed, fewer than the index's pages.
        QVERIFY(summaryPages >= 1 && summaryPages <= indexPages);
        QCOMPARE(items.size(), accounts + userItems + indexPages + summaryPages + cacheKeys);
        qunsetenv("XDG_DATA_HOME");
    }

    // libsecret answers a read of a locked collection it cannot unlock (no display for the prompt)
    // with "nothing": KeychainSecretStore does not believe it. Runs last: it locks the keyring.
    void notFoundIsBelievedOnlyWhenOpen()
    {
        KeychainSecretStore store(QStringLiteral("locking"));
        QVERIFY(waitFor(store.write(QStringLiteral("present"), Secret(QByteArrayLiteral("kept"))))->ok());
        // azure.identity's shared item, written before the keyring locks.
        QTemporaryDir home;
        auto shared = std::make_shared<TokenCache>();
        shared->add(tokenResponse(QStringLiteral("alice")));
        CachePersistence sharedPersistence(
            shared,
            std::make_shared<MsalExtensionsPersistence>(QStringLiteral("azid-locking.nocae"), home.path()),
            QStringLiteral("azid-locking.nocae"));
        QVERIFY(waitFor(sharedPersistence.save())->ok());
        const auto absent = waitFor(store.read(QStringLiteral("absent")));
        QVERIFY2(absent && absent->ok() && !absent->value(), keychaintest::describe(absent).constData());

        QVERIFY(test::keyring::lock());
        for (const QString &key : {QStringLiteral("present"), QStringLiteral("absent")}) {
            const auto read = waitFor(store.read(key));
            QVERIFY(read);
            QVERIFY2(!read->ok(), qPrintable(key));
            QCOMPARE(storageFailure(read->error()), StorageFailure::KeychainLocked);
            QVERIFY2(read->error().message.contains(QStringLiteral("locked")),
                     qPrintable(read->error().message));
        }

        // Another process with the shared cache: its read is an error, and its save overwrites nothing.
        auto other = std::make_shared<TokenCache>();
        CachePersistence otherPersistence(
            other,
            std::make_shared<MsalExtensionsPersistence>(QStringLiteral("azid-locking.nocae"), home.path()),
            QStringLiteral("azid-locking.nocae"));
        const auto sharedRead = waitFor(otherPersistence.load());
        QVERIFY(sharedRead && !sharedRead->ok());
        QCOMPARE(storageFailure(sharedRead->error()), StorageFailure::KeychainLocked);
        other->add(tokenResponse(QStringLiteral("bob")));
        const auto sharedSave = waitFor(otherPersistence.save());
        QVERIFY(sharedSave && !sharedSave->ok());

        // Unlocked again, with the keyring's password.
        QVERIFY(test::keyring::unlock(QStringLiteral(AZID_UNLOCK_KEYRING)));
        QVERIFY(QTest::qWaitFor(
            [&store] {
                const auto read = waitFor(store.read(QStringLiteral("present")));
                return read && read->ok() && read->value();
            },
            30000));
        const auto absentAgain = waitFor(store.read(QStringLiteral("absent")));
        QVERIFY2(absentAgain && absentAgain->ok() && !absentAgain->value(),
                 keychaintest::describe(absentAgain).constData());
        // The shared item still holds alice.
        auto reader = std::make_shared<TokenCache>();
        QVERIFY(waitFor(CachePersistence(reader,
                                         std::make_shared<MsalExtensionsPersistence>(
                                             QStringLiteral("azid-locking.nocae"), home.path()),
                                         QStringLiteral("azid-locking.nocae"))
                            .load())
                    ->ok());
        QVERIFY(hasRefreshToken(*reader, QStringLiteral("alice")));
    }
};

QTEST_GUILESS_MAIN(TestSecretService)
#include "tst_secretservice.moc"
