// What the model tells a person about an error: the next step follows the error's typed reason and
// AADSTS codes, never words in its message; a storage error keeps its StorageFailure wherever it goes.
#include "azid/keychain/storagefailure.h"
#include "azid/model/errortext.h"

#include <QTest>

using namespace azid;
using namespace azid::model;

namespace {

const QString kNetwork =
    QStringLiteral("Check the network connection and the proxy in Settings, then try again.");
const QString kTls =
    QStringLiteral("The authority's TLS certificate is not trusted: behind a TLS-inspecting proxy, "
                   "add its CA certificates in Settings (extra CA bundle).");

AuthError withReason(ErrorReason reason, const QString &message)
{
    return AuthError::authentication(message).withReason(reason);
}

} // namespace

class TestErrorText : public QObject
{
    Q_OBJECT
private slots:
    void nextStepPerReason_data()
    {
        QTest::addColumn<int>("reason");
        QTest::addColumn<QString>("next");
        // The messages hold the words the next step was once guessed from: they must not matter.
        QTest::newRow("none") << int(ErrorReason::None) << QString();
        QTest::newRow("transport") << int(ErrorReason::Transport) << kNetwork;
        QTest::newRow("proxy") << int(ErrorReason::Proxy) << kNetwork;
        QTest::newRow("timeout") << int(ErrorReason::Timeout) << kNetwork;
        QTest::newRow("tls") << int(ErrorReason::Tls) << kTls;
        QTest::newRow("protocol") << int(ErrorReason::Protocol) << QString();
        QTest::newRow("configuration") << int(ErrorReason::Configuration) << QString();
    }

    void nextStepPerReason()
    {
        QFETCH(int, reason);
        QFETCH(QString, next);
        for (const QString &message :
             {QStringLiteral("Something failed."), QStringLiteral("SSL certificate: could not connect to the "
                                                                  "network through the proxy; timed out.")}) {
            const AuthError error = withReason(ErrorReason(reason), message);
            QCOMPARE(nextStep(error), next);
            QCOMPARE(errorSummary(error), next.isEmpty() ? message : message + QLatin1Char(' ') + next);
        }
    }

    void storageErrorsKeepTheirFailure()
    {
        const AuthError locked = storageError(StorageFailure::KeychainLocked,
                                              QStringLiteral("The keychain is locked: could not connect."));
        QCOMPARE(locked.kind, ErrorKind::CredentialUnavailable);
        QCOMPARE(locked.reason, ErrorReason::Storage);
        QCOMPARE(locked.storage, StorageFailure::KeychainLocked);
        QVERIFY2(locked.suberror.isEmpty(), "Entra's field holds no storage failure");
        QCOMPARE(storageFailure(locked), StorageFailure::KeychainLocked);
        // The message's "connect" is not a network problem: its own advice is all there is.
        QCOMPARE(nextStep(locked), QString());
        QCOMPARE(errorSummary(locked), locked.message);
        const QString details = errorDetails(locked);
        QVERIFY2(details.contains(QStringLiteral("Storage failure: keychain_locked")), qPrintable(details));
        QVERIFY2(!details.contains(QStringLiteral("Suberror")), qPrintable(details));

        // Copied, or given another failure, it says what it is now.
        const AuthError copy = locked;
        QCOMPARE(storageFailure(copy), StorageFailure::KeychainLocked);
        QCOMPARE(storageFailure(withStorageFailure(copy, StorageFailure::CacheDamaged)),
                 StorageFailure::CacheDamaged);
        const AuthError cleared = withStorageFailure(copy, StorageFailure::None);
        QCOMPARE(cleared.reason, ErrorReason::None);
        QCOMPARE(storageFailure(cleared), StorageFailure::None);
        // A reason of another kind is no storage error, whatever the field says.
        QCOMPARE(storageFailure(copy.withReason(ErrorReason::Timeout)), StorageFailure::None);
    }

    void entraSuberrorIsNotAStorageFailure()
    {
        // Before the typed field, a storage failure was a suberror with no OAuth error beside it.
        AuthError entra = AuthError::authentication(QStringLiteral("Sign-in refused."));
        entra.suberror = QStringLiteral("keychain_locked");
        QCOMPARE(storageFailure(entra), StorageFailure::None);
        QVERIFY(errorDetails(entra).contains(QStringLiteral("Suberror: keychain_locked")));
        QVERIFY(!errorDetails(entra).contains(QStringLiteral("Storage failure")));
    }

    void codesComeBeforeReasons()
    {
        AuthError mfa = withReason(ErrorReason::None, QStringLiteral("AADSTS50076: MFA required."));
        mfa.errorCodes = {50076};
        QVERIFY(nextStep(mfa).contains(QStringLiteral("multi-factor")));
        AuthError busy = withReason(ErrorReason::None, QStringLiteral("Service unavailable."));
        busy.httpStatus = 503;
        QVERIFY(nextStep(busy).contains(QStringLiteral("busy")));
    }
};

QTEST_GUILESS_MAIN(TestErrorText)
#include "tst_errortext.moc"
