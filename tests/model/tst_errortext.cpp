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

    void readableMessages_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("readable");
        QTest::newRow("plain") << QStringLiteral("The keychain is locked.")
                               << QStringLiteral("The keychain is locked.");
        // An Entra description ending in a period, then a sentence added after ". ".
        QTest::newRow("double period")
            << QStringLiteral("Authentication failed: AADSTS700082: The refresh token has expired due to "
                              "inactivity.. Sign in again to continue.")
            << QStringLiteral("Authentication failed: The refresh token has expired due to inactivity. "
                              "Sign in again to continue.");
        QTest::newRow("sentence twice")
            << QStringLiteral("Sign in again to continue. The grant was revoked. Sign in again to continue.")
            << QStringLiteral("Sign in again to continue. The grant was revoked.");
        QTest::newRow("codes") << QStringLiteral("AADSTS50126: Invalid user name or password. AADSTS1: x.")
                               << QStringLiteral("Invalid user name or password. x.");
    }

    void readableMessages()
    {
        QFETCH(QString, message);
        QFETCH(QString, readable);
        QCOMPARE(readableMessage(message), readable);
    }

    // What a person reads: each sentence once, no AADSTS text, no double period.
    void summariesSayItOnce()
    {
        AuthError expired = AuthError::authenticationRequired(
            {}, {},
            QStringLiteral("Authentication failed: AADSTS700082: The refresh token has expired due to "
                           "inactivity.. Sign in again to continue."));
        expired.errorCodes = {700082};
        const QString summary = errorSummary(expired);
        QCOMPARE(summary, QStringLiteral("Authentication failed: The refresh token has expired due to "
                                         "inactivity. Sign in again to continue."));
        QCOMPARE(summary.count(QStringLiteral("Sign in again")), 1);

        AuthError mfa = AuthError::authentication(
            QStringLiteral("Authentication failed: AADSTS50076: Due to a configuration change made by your "
                           "administrator, you must use multi-factor authentication to access 'x'."));
        mfa.errorCodes = {50076};
        // The known code's statement says what happened and what to do; the server's text is in the details.
        QCOMPARE(errorSummary(mfa), nextStep(mfa));
        QVERIFY(!errorSummary(mfa).contains(QStringLiteral("AADSTS")));
        QVERIFY(errorDetails(mfa).contains(QStringLiteral("AADSTS50076")));
        QVERIFY(errorDetails(mfa).contains(mfa.message));
        QVERIFY2(!errorDetails(mfa).contains(nextStep(mfa)),
                 "the details do not repeat the summary's advice");
    }

    void suggestedActions_data()
    {
        QTest::addColumn<int>("method");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("oauthError");
        QTest::addColumn<int>("action");
        const int password = int(SignInMethod::UsernamePassword);
        const int browser = int(ErrorAction::SignInWithBrowser);
        const int again = int(ErrorAction::TryAgain);
        QTest::newRow("password, MFA required")
            << password << 50076 << QStringLiteral("invalid_grant") << browser;
        QTest::newRow("password, MFA registration") << password << 50079 << QString() << browser;
        QTest::newRow("password, interaction required")
            << password << 0 << QStringLiteral("interaction_required") << browser;
        QTest::newRow("password, wrong password")
            << password << 50126 << QStringLiteral("invalid_grant") << again;
        QTest::newRow("password, network") << password << 0 << QString() << again;
        QTest::newRow("device code, MFA") << int(SignInMethod::DeviceCode) << 50076 << QString() << again;
        QTest::newRow("browser, MFA") << int(SignInMethod::SystemBrowser) << 50076 << QString() << again;
    }

    void suggestedActions()
    {
        QFETCH(int, method);
        QFETCH(int, code);
        QFETCH(QString, oauthError);
        QFETCH(int, action);
        AuthError error = AuthError::authentication(QStringLiteral("Authentication failed."));
        if (code)
            error.errorCodes = {code};
        error.oauthError = oauthError;
        QCOMPARE(int(suggestedAction(error, SignInMethod(method))), action);
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
