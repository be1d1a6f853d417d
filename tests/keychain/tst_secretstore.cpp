// SecretStore contract on the in-memory store, QtKeychain error mapping, profile names and paths.
#include "azid/keychain/keychainsecretstore.h"
#include "azid/keychain/memorysecretstore.h"
#include "azid/keychain/storagefailure.h"
#include "azid/keychain/storagelocation.h"
#include "keychainerrors.h"
#include "keychaintesthelpers.h"

#include <QStandardPaths>
#include <QTest>

using namespace azid;
using azid::keychaintest::waitFor;

Q_DECLARE_METATYPE(azid::StorageFailure)

class TestSecretStore : public QObject
{
    Q_OBJECT

private slots:
    void writeReadRemove()
    {
        MemorySecretStore store;
        const Secret value(QByteArray("\x00\x01binary\xff", 9));
        QVERIFY(waitFor(store.write(QStringLiteral("k"), value))->ok());
        const auto read = waitFor(store.read(QStringLiteral("k")));
        QVERIFY(read && read->ok() && read->value());
        QCOMPARE(*read->value(), value);
        QVERIFY(waitFor(store.remove(QStringLiteral("k")))->ok());
        const auto gone = waitFor(store.read(QStringLiteral("k")));
        QVERIFY(gone && gone->ok());
        QVERIFY(!gone->value().has_value());
    }

    void absenceIsNotAnError()
    {
        MemorySecretStore store;
        const auto read = waitFor(store.read(QStringLiteral("never-written")));
        QVERIFY(read && read->ok());
        QVERIFY(!read->value().has_value());
        QVERIFY(waitFor(store.remove(QStringLiteral("never-written")))->ok());
    }

    void itemSizeLimit_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("empty") << 0 << true;
        QTest::newRow("at the limit") << int(SecretStore::MaxItemSize) << true;
        QTest::newRow("one byte over") << int(SecretStore::MaxItemSize + 1) << false;
    }

    void itemSizeLimit()
    {
        QFETCH(int, size);
        QFETCH(bool, accepted);
        MemorySecretStore store;
        const auto written = waitFor(store.write(QStringLiteral("big"), Secret(QByteArray(size, 'x'))));
        QVERIFY(written);
        QCOMPARE(written->ok(), accepted);
        if (!accepted) {
            QCOMPARE(written->error().kind, ErrorKind::CredentialUnavailable);
            QVERIFY(written->error().message.contains(QStringLiteral("too large")));
            QVERIFY(store.items().isEmpty());
        }
    }

    void injectedFailure()
    {
        MemorySecretStore store;
        store.setFailure(AuthError::unavailable(QStringLiteral("no keychain")));
        QCOMPARE(waitFor(store.read(QStringLiteral("k")))->error().message, QStringLiteral("no keychain"));
        QVERIFY(!waitFor(store.write(QStringLiteral("k"), Secret::fromString(QStringLiteral("v"))))->ok());
        QVERIFY(!waitFor(store.remove(QStringLiteral("k")))->ok());
        store.setFailure(std::nullopt);
        QVERIFY(waitFor(store.write(QStringLiteral("k"), Secret::fromString(QStringLiteral("v"))))->ok());
    }

    void errorMapping_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("detail");
        QTest::addColumn<QString>("expectedStart");
        QTest::addColumn<StorageFailure>("reason");

        const QString noKeychain = detail::noKeychainMessage();
        QTest::newRow("no backend") << int(QKeychain::NoBackendAvailable)
                                    << QStringLiteral("No keyring daemon") << noKeychain
                                    << StorageFailure::KeychainUnavailable;
        QTest::newRow("no session bus (GDBus)")
            << int(QKeychain::OtherError) << QStringLiteral("Could not connect: No such file or directory")
            << noKeychain << StorageFailure::KeychainUnavailable;
        QTest::newRow("no bus address")
            << int(QKeychain::OtherError) << QStringLiteral("Cannot autolaunch D-Bus without X11 $DISPLAY")
            << noKeychain << StorageFailure::KeychainUnavailable;
        QTest::newRow("no secret service on the bus")
            << int(QKeychain::OtherError)
            << QStringLiteral("The name org.freedesktop.secrets was not provided by any .service files")
            << noKeychain << StorageFailure::KeychainUnavailable;
        QTest::newRow("kwallet not running")
            << int(QKeychain::OtherError) << QStringLiteral("D-Bus is not running") << noKeychain
            << StorageFailure::KeychainUnavailable;
        QTest::newRow("locked collection")
            << int(QKeychain::AccessDenied) << QStringLiteral("Cannot create an item in a locked collection")
            << detail::lockedKeychainMessage() << StorageFailure::KeychainLocked;
        QTest::newRow("refused by the backend")
            << int(QKeychain::AccessDenied) << QStringLiteral("The wallet could not be opened")
            << detail::accessDeniedMessage() << StorageFailure::KeychainAccessDenied;
        QTest::newRow("denied at the prompt")
            << int(QKeychain::AccessDeniedByUser) << QString()
            << QStringLiteral("Access to the keychain was denied at its prompt")
            << StorageFailure::KeychainAccessDenied;
        QTest::newRow("denied by a bus policy")
            << int(QKeychain::OtherError)
            << QStringLiteral("GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: Rejected send message, 2 "
                              "matched rules; type=\"method_call\"")
            << detail::accessDeniedMessage() << StorageFailure::KeychainAccessDenied;
        QTest::newRow("no reply")
            << int(QKeychain::OtherError)
            << QStringLiteral(
                   "GDBus.Error:org.freedesktop.DBus.Error.NoReply: Message recipient disconnected")
            << QStringLiteral("The keychain did not answer") << StorageFailure::KeychainTimeout;
        QTest::newRow("no login collection")
            << int(QKeychain::OtherError)
            << QStringLiteral(
                   "Object does not exist at path \u201c/org/freedesktop/secrets/collection/login\u201d")
            << detail::keychainAdvice(StorageFailure::KeychainLocked) << StorageFailure::KeychainLocked;
        QTest::newRow("could not delete")
            << int(QKeychain::CouldNotDeleteEntry) << QString()
            << QStringLiteral("The keychain could not delete the item") << StorageFailure::KeychainFailed;
        QTest::newRow("other") << int(QKeychain::OtherError) << QStringLiteral("Unknown error")
                               << QStringLiteral("The keychain failed") << StorageFailure::KeychainFailed;
    }

    void errorMapping()
    {
        QFETCH(int, code);
        QFETCH(QString, detail);
        QFETCH(QString, expectedStart);
        QFETCH(StorageFailure, reason);
        const AuthError error =
            detail::keychainError(QKeychain::Error(code), detail, detail::KeychainOperation::Write,
                                  QStringLiteral("azid"), QStringLiteral("cache-key:x"));
        QCOMPARE(error.kind, ErrorKind::CredentialUnavailable);
        QVERIFY2(error.message.startsWith(expectedStart), qPrintable(error.message));
        QCOMPARE(storageFailure(error), reason);
        // The context names what was attempted and keeps the backend's own words.
        QVERIFY(error.message.contains(QStringLiteral("writing 'cache-key:x' in keychain service 'azid'")));
        QVERIFY(error.message.contains(detail));
    }

    void timeoutError()
    {
        const AuthError error =
            detail::keychainTimeoutError(std::chrono::milliseconds(30000), detail::KeychainOperation::Read,
                                         QStringLiteral("azid"), QStringLiteral("k"));
        QCOMPARE(error.kind, ErrorKind::CredentialUnavailable);
        QVERIFY(error.message.startsWith(QStringLiteral("The keychain did not answer within 30 s")));
        QCOMPARE(storageFailure(error), StorageFailure::KeychainTimeout);
    }

    void storageFailureNames()
    {
        // Reasons round-trip through the error; an authority's suberror is not mistaken for one.
        for (int value = int(StorageFailure::KeychainUnavailable); value <= int(StorageFailure::NotPersisted);
             ++value) {
            const auto failure = StorageFailure(value);
            QVERIFY(!storageFailureName(failure).isEmpty());
            QCOMPARE(storageFailure(storageError(failure, QStringLiteral("x"))), failure);
        }
        AuthError entra = AuthError::authentication(QStringLiteral("AADSTS50076"));
        entra.oauthError = QStringLiteral("invalid_grant");
        entra.suberror = QStringLiteral("basic_action");
        QCOMPARE(storageFailure(entra), StorageFailure::None);
        QVERIFY(isTransient(StorageFailure::KeychainLocked));
        QVERIFY(isTransient(StorageFailure::KeychainUnavailable));
        QVERIFY(isTransient(StorageFailure::KeychainTimeout));
        QVERIFY(!isTransient(StorageFailure::KeychainAccessDenied));
        QVERIFY(!isTransient(StorageFailure::CacheDamaged));
    }

    void profileNames_data()
    {
        QTest::addColumn<QString>("profile");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("service");
        QTest::newRow("default (empty)") << QString() << true << QStringLiteral("azid");
        QTest::newRow("default (named)") << QStringLiteral("default") << true << QStringLiteral("azid");
        QTest::newRow("office") << QStringLiteral("office") << true << QStringLiteral("azid-office");
        QTest::newRow("dots and dashes")
            << QStringLiteral("a.b_c-1") << true << QStringLiteral("azid-a.b_c-1");
        QTest::newRow("path") << QStringLiteral("../x") << false << QString();
        QTest::newRow("slash") << QStringLiteral("a/b") << false << QString();
        QTest::newRow("hidden") << QStringLiteral(".x") << false << QString();
        QTest::newRow("space") << QStringLiteral("a b") << false << QString();
        QTest::newRow("too long") << QString(65, QLatin1Char('a')) << false << QString();
    }

    void profileNames()
    {
        QFETCH(QString, profile);
        QFETCH(bool, valid);
        QFETCH(QString, service);
        QCOMPARE(isValidProfileName(profile), valid);
        if (valid)
            QCOMPARE(keychainServiceName(profile), service);
    }

    void profileFolders()
    {
        const QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
        QCOMPARE(profileDataDirectory(QString()), base + QStringLiteral("/azid/default"));
        QCOMPARE(profileDataDirectory(QStringLiteral("office")), base + QStringLiteral("/azid/office"));
        QCOMPARE(defaultCacheFilePath(QStringLiteral("office"), QStringLiteral("msal.cache.nocae")),
                 base + QStringLiteral("/azid/office/msal.cache.nocae.bin"));
        QVERIFY(isValidCacheName(QStringLiteral("msal.cache.cae")));
        QVERIFY(!isValidCacheName(QStringLiteral("../msal")));
    }

    void keychainStoreRefusesInvalidProfileWithoutTouchingTheKeychain()
    {
        KeychainSecretStore store(QStringLiteral("../evil"));
        const auto read = waitFor(store.read(QStringLiteral("k")));
        QVERIFY(read && !read->ok());
        QVERIFY(read->error().message.contains(QStringLiteral("not a valid profile name")));
    }
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
