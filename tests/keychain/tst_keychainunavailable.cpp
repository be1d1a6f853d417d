// What callers see when the keychain cannot be used. Run by CTest in three settings, named by
// AZID_TEST_KEYCHAIN_EXPECT: "no-backend" without a session bus, and again on a bus where nothing
// provides org.freedesktop.secrets; "locked" against a keyring whose collection stays locked.
#include "azid/keychain/accountstore.h"
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/tokencache.h"
#include "keychaintesthelpers.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace azid;
using azid::keychaintest::tokenResponse;
using azid::keychaintest::waitFor;

namespace {

const QString noKeychain = QStringLiteral("No keychain (Secret Service) is reachable: start gnome-keyring or "
                                          "KWallet, or use memory-only mode.");

} // namespace

class TestKeychainUnavailable : public QObject
{
    Q_OBJECT

private:
    QString m_expect;

private slots:
    void initTestCase()
    {
        m_expect = qEnvironmentVariable("AZID_TEST_KEYCHAIN_EXPECT");
        if (m_expect.isEmpty())
            QSKIP("Run by CTest with AZID_TEST_KEYCHAIN_EXPECT=no-backend|locked.");
    }

    void noBackend_data()
    {
        QTest::addColumn<int>("operation");
        QTest::newRow("read") << 0;
        QTest::newRow("write") << 1;
        QTest::newRow("remove") << 2;
    }

    void noBackend()
    {
        if (m_expect != QLatin1String("no-backend"))
            QSKIP("not this setting");
        QFETCH(int, operation);
        KeychainSecretStore store;
        const QString key = QStringLiteral("test:k");
        std::optional<AuthError> error;
        if (operation == 0) {
            const auto r = waitFor(store.read(key));
            QVERIFY(r && !r->ok());
            error = r->error();
        } else {
            const auto r = waitFor(operation == 1 ? store.write(key, Secret::fromString(QStringLiteral("v")))
                                                  : store.remove(key));
            QVERIFY(r && !r->ok());
            error = r->error();
        }
        QCOMPARE(error->kind, ErrorKind::CredentialUnavailable);
        QVERIFY2(error->message.startsWith(noKeychain), qPrintable(error->message));
    }

    void noBackendStopsPersistence()
    {
        if (m_expect != QLatin1String("no-backend"))
            QSKIP("not this setting");
        auto store = std::make_shared<KeychainSecretStore>();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cache.bin"));
        auto cache = std::make_shared<TokenCache>();
        cache->add(tokenResponse(QStringLiteral("alice")));
        CachePersistence persistence(store, cache, QStringLiteral("c"), path);
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved && !saved->ok());
        QVERIFY(saved->error().message.startsWith(noKeychain));
        QVERIFY(QDir(dir.path()).isEmpty()); // no cache file, plain or otherwise, and no lock left

        AccountStore accounts(store);
        const auto listed = waitFor(accounts.list());
        QVERIFY(listed && !listed->ok());
        QVERIFY(listed->error().message.startsWith(noKeychain));
    }

    void lockedKeyring()
    {
        if (m_expect != QLatin1String("locked"))
            QSKIP("not this setting");
        KeychainSecretStore store;
        const auto written =
            waitFor(store.write(QStringLiteral("test:k"), Secret::fromString(QStringLiteral("v"))));
        QVERIFY(written && !written->ok());
        QCOMPARE(written->error().kind, ErrorKind::CredentialUnavailable);
        QVERIFY2(written->error().message.contains(QStringLiteral("unlock")),
                 qPrintable(written->error().message));
        // gnome-keyring answers reads of a locked collection it cannot unlock as "not there".
        const auto read = waitFor(store.read(QStringLiteral("test:k")));
        QVERIFY(read);
        QVERIFY(!read->ok() || !read->value().has_value());

        QTemporaryDir dir;
        auto cache = std::make_shared<TokenCache>();
        cache->add(tokenResponse(QStringLiteral("alice")));
        CachePersistence persistence(std::make_shared<KeychainSecretStore>(), cache, QStringLiteral("c"),
                                     dir.filePath(QStringLiteral("cache.bin")));
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved && !saved->ok());
        QVERIFY(saved->error().message.contains(QStringLiteral("unlock")));
        QVERIFY(QDir(dir.path()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestKeychainUnavailable)
#include "tst_keychainunavailable.moc"
