// The keychain's bad days, each with its own reason and message, seen through every way Azid talks to
// it: QtKeychain (KeychainSecretStore), libsecret directly (MsalExtensionsPersistence), the
// availability probe, and the cache persistence with and without allow_unencrypted_storage.
//
// CTest runs it in each setting, named by AZID_TEST_KEYCHAIN_EXPECT:
//   no-backend  without a session bus, and again on a bus where nothing provides org.freedesktop.secrets
//   locked      against a keyring whose collection stays locked (run-with-keyring.sh --locked)
//   denied      with gnome-keyring running but the bus refusing calls to it (--deny-secrets)
#include "azid/keychain/accountstore.h"
#include "azid/keychain/cachepersistence.h"
#include "azid/keychain/keychainavailability.h"
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/msalextensionspersistence.h"
#include "azid/keychain/storagefailure.h"
#include "azid/tokencache.h"
#include "keychaintesthelpers.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace azid;
using namespace std::chrono_literals;
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
    StorageFailure m_reason = StorageFailure::None;

    void verifyReason(const AuthError &error) const
    {
        QCOMPARE(error.kind, ErrorKind::CredentialUnavailable);
        QVERIFY2(storageFailure(error) == m_reason, qPrintable(storageFailureName(storageFailure(error)) +
                                                               QStringLiteral(": ") + error.message));
        switch (m_reason) {
        case StorageFailure::KeychainUnavailable:
            QVERIFY2(error.message.startsWith(noKeychain), qPrintable(error.message));
            break;
        case StorageFailure::KeychainLocked:
            QVERIFY2(error.message.contains(QStringLiteral("unlock")), qPrintable(error.message));
            break;
        case StorageFailure::KeychainAccessDenied:
            QVERIFY2(error.message.contains(QStringLiteral("refused access")), qPrintable(error.message));
            break;
        default:
            QFAIL("no such setting");
        }
    }

private slots:
    void initTestCase()
    {
        m_expect = qEnvironmentVariable("AZID_TEST_KEYCHAIN_EXPECT");
        if (m_expect == QLatin1String("no-backend"))
            m_reason = StorageFailure::KeychainUnavailable;
        else if (m_expect == QLatin1String("locked"))
            m_reason = StorageFailure::KeychainLocked;
        else if (m_expect == QLatin1String("denied"))
            m_reason = StorageFailure::KeychainAccessDenied;
        QVERIFY2(m_reason != StorageFailure::None,
                 "run by CTest with AZID_TEST_KEYCHAIN_EXPECT=no-backend|locked|denied");
    }

    void qtKeychain()
    {
        KeychainSecretStore store;
        const auto written =
            waitFor(store.write(QStringLiteral("test:k"), Secret::fromString(QStringLiteral("v"))));
        QVERIFY(written && !written->ok());
        verifyReason(written->error());
        if (m_reason == StorageFailure::KeychainLocked) {
            // gnome-keyring answers reads of a locked collection it cannot unlock as "not there";
            // Azid does not believe it.
            const auto read = waitFor(store.read(QStringLiteral("test:k")));
            QVERIFY(read && !read->ok());
            verifyReason(read->error());
        } else {
            for (const auto &result : {waitFor(store.remove(QStringLiteral("test:k")))}) {
                QVERIFY(result && !result->ok());
                verifyReason(result->error());
            }
            const auto read = waitFor(store.read(QStringLiteral("test:k")));
            QVERIFY(read && !read->ok());
            verifyReason(read->error());
        }
    }

    void libsecretDirectly()
    {
        QTemporaryDir home;
        MsalExtensionsPersistence shared(QStringLiteral("msal.cache.nocae"), home.path());
        const auto written = waitFor(shared.write(Secret(QByteArrayLiteral("{}")), std::make_shared<int>(0)));
        QVERIFY(written && !written->ok());
        verifyReason(written->error());
        QVERIFY(written->error().message.contains(QStringLiteral("msal.cache.nocae")));
        QVERIFY(!QFile::exists(shared.signalFilePath())); // touched only after a write that worked
    }

    void availabilityProbe()
    {
        KeychainAvailability watcher;
        watcher.setBackoff({10s, 10s, 1.0}); // one probe is enough here
        QSignalSpy unavailable(&watcher, &KeychainAvailability::unavailable);
        watcher.start();
        QVERIFY(unavailable.wait(30000));
        QVERIFY(!watcher.isAvailable());
        QCOMPARE(watcher.state(), KeychainAvailability::State::Waiting);
        verifyReason(watcher.lastError());
        QCOMPARE(unavailable.first().at(1).toLongLong(), 10000);
        watcher.stop();
        QCOMPARE(watcher.state(), KeychainAvailability::State::Idle);
    }

    void persistenceWritesNothing()
    {
        auto store = std::make_shared<KeychainSecretStore>();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("cache.bin"));
        auto cache = std::make_shared<TokenCache>();
        cache->add(tokenResponse(QStringLiteral("alice")));
        CachePersistence persistence(store, cache, QStringLiteral("c"), path);
        const auto saved = waitFor(persistence.save());
        QVERIFY(saved && !saved->ok());
        verifyReason(saved->error());
        QVERIFY(QDir(dir.path()).isEmpty()); // no cache file, plain or otherwise, and no lock left
        QVERIFY(persistence.hasUnsavedChanges());

        if (m_reason != StorageFailure::KeychainLocked) {
            AccountStore accounts(store);
            const auto listed = waitFor(accounts.list());
            QVERIFY(listed && !listed->ok());
            verifyReason(listed->error());
        }
    }

    // allow_unencrypted_storage falls back to a plain file only when no keychain is reachable at all;
    // without it, that is an EncryptionUnavailable error. A locked keychain or a refused access is
    // never a reason to write plain text.
    void unencryptedFallback_data()
    {
        QTest::addColumn<bool>("allow");
        QTest::newRow("allowed") << true;
        QTest::newRow("not allowed") << false;
    }

    void unencryptedFallback()
    {
        QFETCH(bool, allow);
        QTemporaryDir data;
        qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
        TokenCachePersistenceOptions options;
        options.name = QStringLiteral("fallback-test");
        options.allowUnencryptedStorage = allow;
        auto cache = std::make_shared<TokenCache>();
        cache->add(tokenResponse(QStringLiteral("alice")));
        const auto persistence = CachePersistence::forProfile(std::make_shared<KeychainSecretStore>(), cache,
                                                              QStringLiteral("fallback"), options, false);
        const auto saved = waitFor(persistence->save());
        QVERIFY(saved);
        const QString plain = data.filePath(QStringLiteral("azid/fallback/fallback-test.nocae.json"));
        if (m_reason == StorageFailure::KeychainUnavailable && allow) {
            QVERIFY2(saved->ok(), azid::keychaintest::describe(saved).constData());
            QVERIFY(QFile::exists(plain));
            QCOMPARE(QFile::permissions(plain) &
                         ~(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser),
                     QFile::Permissions());
            QVERIFY(persistence->storageWarning().contains(QStringLiteral("UNENCRYPTED")));
            QVERIFY(persistence->storageWarning().contains(plain));
            // A second process finds the tokens there.
            auto again = std::make_shared<TokenCache>();
            const auto other = CachePersistence::forProfile(std::make_shared<KeychainSecretStore>(), again,
                                                            QStringLiteral("fallback"), options, false);
            QVERIFY(waitFor(other->load())->ok());
            QVERIFY(azid::keychaintest::hasRefreshToken(*again, QStringLiteral("alice")));
        } else {
            QVERIFY(!saved->ok());
            if (m_reason == StorageFailure::KeychainUnavailable) {
                QCOMPARE(storageFailure(saved->error()), StorageFailure::EncryptionUnavailable);
                QVERIFY(saved->error().message.contains(QStringLiteral("--allow-unencrypted-storage")));
            } else {
                verifyReason(saved->error());
            }
            QVERIFY(!QFile::exists(plain));
            QVERIFY(persistence->storageWarning().isEmpty());
        }
        qunsetenv("XDG_DATA_HOME");
    }
};

QTEST_GUILESS_MAIN(TestKeychainUnavailable)
#include "tst_keychainunavailable.moc"
