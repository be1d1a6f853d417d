// KeychainSecretStore against a real Secret Service (gnome-keyring). Run through run-with-keyring.sh,
// which gives it a private bus and a throwaway keyring; run directly, it skips rather than write into
// your own keyring.
#include "azid/keychain/accountstore.h"
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/encryptedcachefile.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/tokencache.h"
#include "keychaintesthelpers.h"

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

} // namespace

class TestSecretService : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (qEnvironmentVariable("AZID_TEST_KEYRING") != QLatin1String("unlocked"))
            QSKIP(
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

    // A keychain that does not answer (here: its daemon stopped) gets a timeout error; the job is left
    // running, and once the keychain answers, the write lands.
    void timeoutLeavesTheJobToFinish()
    {
        const qint64 daemon = qEnvironmentVariable("AZID_TEST_SECRET_SERVICE_PID").toLongLong();
        if (daemon <= 0)
            QSKIP("run-with-keyring.sh did not say which process serves the keychain");
        KeychainSecretStore impatient(QString(), 300ms);
        KeychainSecretStore patient;
        const QString key = QStringLiteral("test:late-write");

        QCOMPARE(::kill(pid_t(daemon), SIGSTOP), 0);
        const auto written = waitFor(impatient.write(key, Secret::fromString(QStringLiteral("late"))));
        QCOMPARE(::kill(pid_t(daemon), SIGCONT), 0);
        QVERIFY(written && !written->ok());
        QCOMPARE(written->error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY2(
            written->error().message.startsWith(QStringLiteral("The keychain did not answer within 0.3 s")),
            qPrintable(written->error().message));

        // QtKeychain runs jobs in order, so this read comes after the abandoned write has finished.
        const auto read = waitFor(patient.read(key));
        QVERIFY(read && read->ok() && read->value());
        QCOMPARE(read->value()->revealString(), QStringLiteral("late"));
        QVERIFY(waitFor(patient.remove(key))->ok());
    }
};

QTEST_GUILESS_MAIN(TestSecretService)
#include "tst_secretservice.moc"
