// The sign-in dialog's states for each method, with a stand-in for the sign-in itself: the form and
// its checks, the waiting page with what the method needs (URL and copy button, the device code with
// link, QR code and countdown), cancelling, errors with their details, success; and as a person meets
// it (issue 15): the focus where typing starts, no problem shown before anything was typed, copy
// buttons that say they copied, an error in one statement with its details collapsed, the way out of a
// password sign-in that multi-factor authentication refuses, and server text shown as plain text.
#include "azid/authorityhosts.h"
#include "azid/ui/copybutton.h"
#include "azid/ui/errorpanel.h"
#include "azid/ui/signindialog.h"
#include "fakeclock.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QToolButton>
#include <QtTest>

using namespace azid;
using namespace azid::model;
using namespace azid::ui;

class TestSignInDialog : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<SignInDialog> m_dialog;
    QPointer<SignInOperation> m_operation;
    SignInRequest m_started;
    QByteArray m_startedPassword;
    int m_starts = 0;
    test::FakeClock m_clock;

    template <typename T> T *child(const char *name) const
    {
        T *widget = m_dialog->findChild<T *>(QString::fromLatin1(name));
        if (!widget)
            qWarning("no widget %s", name);
        return widget;
    }

    void choose(const char *method) { child<QRadioButton>(method)->setChecked(true); }

    void useSandboxLikeAuthority()
    {
        auto *cloud = child<QComboBox>("cloudCombo");
        cloud->setCurrentIndex(cloud->findData(QStringLiteral("custom")));
        child<QLineEdit>("authorityEdit")->setText(QStringLiteral("https://127.0.0.1:8443"));
    }

    StoredAccount account() const
    {
        StoredAccount stored;
        stored.record = {QStringLiteral("127.0.0.1:8443"), DeveloperSignOnClientId,
                         QStringLiteral("uid.utid"), QStringLiteral("utid"),
                         QStringLiteral("alice@contoso.test")};
        stored.metadata.signInMethod = QStringLiteral("browser");
        return stored;
    }

private slots:
    void init()
    {
        m_starts = 0;
        m_started = {};
        m_startedPassword.clear();
        m_dialog = std::make_unique<SignInDialog>([this](const SignInRequest &request, QObject *parent) {
            ++m_starts;
            m_started = request;
            m_startedPassword = request.password.reveal();
            m_operation = new SignInOperation(request, parent);
            return m_operation.data();
        });
        m_dialog->setClock(&m_clock);
        m_dialog->show();
    }

    void cleanup() { m_dialog.reset(); }

    void formDefaults()
    {
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Form);
        QCOMPARE(child<QLineEdit>("clientIdEdit")->text(), DeveloperSignOnClientId);
        QCOMPARE(child<QLineEdit>("scopesEdit")->text(),
                 QStringLiteral("https://management.azure.com/.default"));
        QVERIFY(child<QRadioButton>("methodBrowser")->isChecked());
        QVERIFY(!child<QLineEdit>("authorityEdit")->isEnabled());
        QVERIFY(child<QPushButton>("signInButton")->isEnabled());
        const SignInRequest request = m_dialog->formRequest();
        QCOMPARE(request.authority, AzureAuthorityHosts::AzurePublicCloud);
        QVERIFY(!request.disableInstanceDiscovery);

        auto *cloud = child<QComboBox>("cloudCombo");
        cloud->setCurrentIndex(cloud->findData(QStringLiteral("usgov")));
        QCOMPARE(child<QLineEdit>("scopesEdit")->text(),
                 QStringLiteral("https://management.usgovcloudapi.net/.default"));
        QCOMPARE(m_dialog->formRequest().authority, AzureAuthorityHosts::AzureGovernment);
    }

    void formChecks()
    {
        auto *signIn = child<QPushButton>("signInButton");
        auto *cloud = child<QComboBox>("cloudCombo");
        cloud->setCurrentIndex(cloud->findData(QStringLiteral("custom")));
        QVERIFY(!signIn->isEnabled());
        // Nothing typed yet: no problem shown, the button's tooltip says what is missing.
        QVERIFY(child<QLabel>("problemLabel")->text().isEmpty());
        QCOMPARE(signIn->toolTip(), m_dialog->problem());
        QTest::keyClicks(child<QLineEdit>("authorityEdit"), QStringLiteral("http://login.example.com"));
        QVERIFY(m_dialog->problem().contains(QStringLiteral("https")));
        QCOMPARE(child<QLabel>("problemLabel")->text(), m_dialog->problem());
        child<QLineEdit>("authorityEdit")->setText(QStringLiteral("https://login.example.com"));
        QVERIFY(signIn->isEnabled());
        QVERIFY(m_dialog->formRequest().disableInstanceDiscovery);
        child<QLineEdit>("clientIdEdit")->clear();
        QVERIFY(!signIn->isEnabled());
        child<QLineEdit>("clientIdEdit")->setText(DeveloperSignOnClientId);
        choose("methodPassword");
        QVERIFY(child<QLabel>("passwordWarning")->isVisible());
        QVERIFY(child<QLabel>("passwordWarning")->text().contains(QStringLiteral("multi-factor")));
        QVERIFY(
            child<QLabel>("passwordWarning")->text().contains(QStringLiteral("personal Microsoft accounts")));
        QVERIFY(!signIn->isEnabled());
        child<QLineEdit>("usernameEdit")->setText(QStringLiteral("alice@contoso.test"));
        QVERIFY(!signIn->isEnabled());
        child<QLineEdit>("passwordEdit")->setText(QStringLiteral("alice-password-1"));
        QVERIFY(signIn->isEnabled());
        m_dialog->start();
        QCOMPARE(m_starts, 1);
    }

    void systemBrowser()
    {
        useSandboxLikeAuthority();
        child<QLineEdit>("loginHintEdit")->setText(QStringLiteral("alice@contoso.test"));
        QTest::mouseClick(child<QPushButton>("signInButton"), Qt::LeftButton);
        QCOMPARE(m_starts, 1);
        QCOMPARE(m_started.method, SignInMethod::SystemBrowser);
        QCOMPARE(m_started.authority, QStringLiteral("https://127.0.0.1:8443"));
        QCOMPARE(m_started.loginHint, QStringLiteral("alice@contoso.test"));
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Waiting);
        QVERIFY(child<QWidget>("progressBar")->isVisible());
        QVERIFY(child<QPushButton>("cancelButton")->isVisible());
        QVERIFY(!child<QWidget>("browserBox")->isVisible());

        const QUrl url(
            QStringLiteral("https://127.0.0.1:8443/organizations/oauth2/v2.0/authorize?client_id=x"));
        m_operation->reportBrowserUrl(url, false);
        m_operation->reportStatus(QStringLiteral("No browser could be started"));
        QVERIFY(child<QWidget>("browserBox")->isVisible());
        QCOMPARE(child<QLineEdit>("urlEdit")->text(), url.toString());
        QCOMPARE(child<QLabel>("waitingStatus")->text(), QStringLiteral("No browser could be started"));
        QTest::mouseClick(child<QPushButton>("copyUrlButton"), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), url.toString());

        QSignalSpy signedIn(m_dialog.get(), &SignInDialog::signedIn);
        m_operation->succeed(account());
        QCOMPARE(signedIn.count(), 1);
        QCOMPARE(signedIn.first().at(0).value<StoredAccount>().record.username,
                 QStringLiteral("alice@contoso.test"));
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Succeeded);
        QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
        QVERIFY(!m_dialog->isVisible());
    }

    void embeddedBrowser()
    {
        choose("methodEmbedded");
        m_dialog->start();
        QCOMPARE(m_started.method, SignInMethod::EmbeddedBrowser);
        m_operation->reportBrowserUrl(QUrl(QStringLiteral("https://login.microsoftonline.com/x")), true);
        // The window shows its own address; the dialog only waits.
        QVERIFY(!child<QWidget>("browserBox")->isVisible());
        AuthError closed = AuthError::authentication(QStringLiteral(
            "The sign-in window was closed before the sign-in finished. Start again to retry."));
        m_operation->fail(closed);
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Failed);
        QVERIFY(child<QLabel>("errorSummary")->text().contains(QStringLiteral("window was closed")));
    }

    void embeddedBrowserUnavailable()
    {
        choose("methodEmbedded");
        m_dialog->setEmbeddedBrowserAvailable(false, QStringLiteral("not installed"));
        QVERIFY(!child<QRadioButton>("methodEmbedded")->isEnabled());
        QCOMPARE(child<QRadioButton>("methodEmbedded")->toolTip(), QStringLiteral("not installed"));
        QCOMPARE(m_dialog->method(), SignInMethod::SystemBrowser);
        m_dialog->setMethod(SignInMethod::EmbeddedBrowser);
        QCOMPARE(m_dialog->method(), SignInMethod::SystemBrowser);
    }

    void deviceCode()
    {
        choose("methodDeviceCode");
        m_dialog->start();
        QCOMPARE(m_started.method, SignInMethod::DeviceCode);
        QVERIFY(!child<QWidget>("deviceBox")->isVisible());
        const QDateTime expires = QDateTime::fromSecsSinceEpoch(m_clock.now() + 900);
        m_operation->reportDeviceCode(
            {QStringLiteral("https://microsoft.com/devicelogin"), QStringLiteral("ABCD2EFGH"), expires});
        QVERIFY(child<QWidget>("deviceBox")->isVisible());
        QCOMPARE(child<QLabel>("userCodeLabel")->text(), QStringLiteral("ABCD2EFGH"));
        QVERIFY(child<QLabel>("userCodeLabel")->font().pointSize() >= 20);
        const QString link = child<QLabel>("verificationLink")->text();
        QVERIFY(link.contains(QStringLiteral("<a href=\"https://microsoft.com/devicelogin\">")));
        QVERIFY(child<QLabel>("verificationLink")->openExternalLinks());
        QVERIFY(!child<QLabel>("qrCodeLabel")->pixmap().isNull());
        QCOMPARE(child<QLabel>("countdownLabel")->text(), QStringLiteral("The code expires in 15:00."));
        m_clock.advance(61);
        QTRY_COMPARE(child<QLabel>("countdownLabel")->text(), QStringLiteral("The code expires in 13:59."));
        auto *copyCode = child<CopyButton>("copyCodeButton");
        const int copyWidth = copyCode->width();
        QTest::mouseClick(copyCode, Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("ABCD2EFGH"));
        // It says so, keeps its width, and reads "Copy code" again after a moment.
        QCOMPARE(copyCode->text(), QStringLiteral("Copied"));
        QVERIFY(copyCode->showsCopied());
        QCOMPARE(copyCode->width(), copyWidth);
        QTRY_COMPARE(copyCode->text(), QStringLiteral("Copy code"));
        m_clock.advance(900);
        QTRY_VERIFY(child<QLabel>("countdownLabel")->text().contains(QStringLiteral("expired")));
        // The library then reports the expiry.
        AuthError expired =
            AuthError::authentication(QStringLiteral("Authentication failed: the device code expired before "
                                                     "the sign-in was completed. Start again for "
                                                     "a new code."));
        expired.oauthError = QStringLiteral("expired_token");
        expired.errorCodes = {70019};
        m_operation->fail(expired);
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Failed);
        QVERIFY(child<QPlainTextEdit>("errorDetails")->toPlainText().contains(QStringLiteral("AADSTS70019")));
    }

    void cancelGoesBackToTheForm()
    {
        choose("methodDeviceCode");
        m_dialog->start();
        QPointer<SignInOperation> operation = m_operation;
        QTest::mouseClick(child<QPushButton>("cancelButton"), Qt::LeftButton);
        QCOMPARE(operation->state(), SignInOperation::State::Cancelled);
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Form);
        QVERIFY(child<QLabel>("problemLabel")->text().contains(QStringLiteral("cancelled")));
        // A late success of the cancelled operation changes nothing.
        operation->succeed(account());
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Form);
        m_dialog->start();
        QCOMPARE(m_starts, 2);
    }

    void closingCancels()
    {
        m_dialog->start();
        QPointer<SignInOperation> operation = m_operation;
        m_dialog->close();
        QCOMPARE(operation->state(), SignInOperation::State::Cancelled);
    }

    void passwordIsClearedAfterUse()
    {
        useSandboxLikeAuthority();
        choose("methodPassword");
        child<QLineEdit>("usernameEdit")->setText(QStringLiteral("mfa@contoso.test"));
        child<QLineEdit>("passwordEdit")->setText(QStringLiteral("mfa-password-1"));
        QTest::mouseClick(child<QPushButton>("signInButton"), Qt::LeftButton);
        QCOMPARE(m_started.method, SignInMethod::UsernamePassword);
        QCOMPARE(m_started.username, QStringLiteral("mfa@contoso.test"));
        QCOMPARE(m_startedPassword, QByteArray("mfa-password-1"));
        QVERIFY(child<QLineEdit>("passwordEdit")->text().isEmpty());
        // The operation keeps no password either.
        QVERIFY(m_operation->request().password.isEmpty());

        AuthError mfa =
            AuthError::authentication(QStringLiteral("Authentication failed: AADSTS50076: MFA required."));
        mfa.oauthError = QStringLiteral("invalid_grant");
        mfa.suberror = QStringLiteral("basic_action");
        mfa.errorCodes = {50076};
        mfa.correlationId = QStringLiteral("1b3c2f9e-0000-4000-8000-000000000001");
        mfa.traceId = QStringLiteral("trace-1");
        mfa.httpStatus = 400;
        m_operation->fail(mfa);
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Failed);
        // One statement of what happened and what to do; no AADSTS text; the details collapsed.
        const QString summary = child<QLabel>("errorSummary")->text();
        QVERIFY2(summary.contains(QStringLiteral("multi-factor")), qPrintable(summary));
        QVERIFY2(!summary.contains(QStringLiteral("AADSTS")), qPrintable(summary));
        QVERIFY(child<QLabel>("errorSummary")->isVisible());
        QVERIFY(!child<QPlainTextEdit>("errorDetails")->isVisible());
        QTest::mouseClick(child<QToolButton>("detailsToggle"), Qt::LeftButton);
        QVERIFY(child<QPlainTextEdit>("errorDetails")->isVisible());
        const QString details = child<QPlainTextEdit>("errorDetails")->toPlainText();
        for (const QString &part :
             {QStringLiteral("AADSTS50076"),
              QStringLiteral("Correlation ID: 1b3c2f9e-0000-4000-8000-000000000001"),
              QStringLiteral("Suberror: basic_action"), QStringLiteral("OAuth error: invalid_grant"),
              QStringLiteral("HTTP status: 400"), QStringLiteral("Trace ID: trace-1")})
            QVERIFY2(details.contains(part), qPrintable(part));
        QVERIFY(!details.contains(QStringLiteral("mfa-password-1")));
        QTest::mouseClick(child<QPushButton>("copyDetailsButton"), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(), details);
        QCOMPARE(child<QPushButton>("copyDetailsButton")->text(), QStringLiteral("Copied"));

        // A password cannot pass multi-factor authentication: the way out is the browser.
        auto *action = child<QPushButton>("retryButton");
        QCOMPARE(action->text(), QStringLiteral("Sign in with the browser"));
        QTest::mouseClick(action, Qt::LeftButton);
        QCOMPARE(m_starts, 2);
        QCOMPARE(m_started.method, SignInMethod::SystemBrowser);
        QCOMPARE(m_started.loginHint, QStringLiteral("mfa@contoso.test"));
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Waiting);
    }

    void wrongPasswordOffersTryAgain()
    {
        choose("methodPassword");
        child<QLineEdit>("usernameEdit")->setText(QStringLiteral("alice@contoso.test"));
        child<QLineEdit>("passwordEdit")->setText(QStringLiteral("wrong"));
        m_dialog->start();
        AuthError wrong = AuthError::authentication(
            QStringLiteral("Authentication failed: AADSTS50126: Error validating credentials due to invalid "
                           "username or password.."));
        wrong.errorCodes = {50126};
        m_operation->fail(wrong);
        auto *action = child<QPushButton>("retryButton");
        QCOMPARE(action->text(), QStringLiteral("Try again"));
        QTest::mouseClick(action, Qt::LeftButton);
        // "Try again" for a password needs the password again: back to the form, in the password field.
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Form);
        QCOMPARE(m_starts, 1);
        QVERIFY(!child<QPushButton>("signInButton")->isEnabled());
        QCOMPARE(m_dialog->focusWidget(), child<QLineEdit>("passwordEdit"));
    }

    // What a server says is shown as it is, never as rich text.
    void serverTextIsPlainText()
    {
        const QString hostile = QStringLiteral("<b>x</b><img src=\"file:///etc/passwd\"> failed.");
        m_dialog->start();
        m_operation->reportStatus(hostile);
        QCOMPARE(child<QLabel>("waitingStatus")->textFormat(), Qt::PlainText);
        m_operation->fail(AuthError::authentication(hostile));
        auto *summary = child<QLabel>("errorSummary");
        QCOMPARE(summary->textFormat(), Qt::PlainText);
        QCOMPARE(summary->text(), hostile);

        SignInRequest again;
        again.accountId = QStringLiteral("uid.utid");
        again.reason = hostile;
        m_dialog->backToForm();
        m_dialog->prefill(again);
        QCOMPARE(child<QLabel>("reasonLabel")->textFormat(), Qt::PlainText);
        QCOMPARE(child<QLabel>("reasonLabel")->text(), hostile);
    }

    // "Sign in again" starts where the person must type: the password when the user name is known.
    void signInAgainFocusesWhatIsMissing()
    {
        SignInRequest again;
        again.loginHint = QStringLiteral("alice@contoso.test");
        again.username = again.loginHint;
        again.accountId = QStringLiteral("uid.utid");
        again.method = SignInMethod::UsernamePassword;
        m_dialog->prefill(again);
        QCOMPARE(m_dialog->focusWidget(), child<QLineEdit>("passwordEdit"));
        // The user name is the login hint of this method: no second field for it.
        QVERIFY(!child<QLineEdit>("loginHintEdit")->isVisible());
        QVERIFY(child<QLineEdit>("usernameEdit")->isVisible());
        QVERIFY(child<QLabel>("problemLabel")->text().isEmpty());

        again.username.clear();
        again.loginHint.clear();
        m_dialog->prefill(again);
        QCOMPARE(m_dialog->focusWidget(), child<QLineEdit>("usernameEdit"));

        again.method = SignInMethod::DeviceCode;
        again.loginHint = QStringLiteral("alice@contoso.test");
        m_dialog->prefill(again);
        QCOMPARE(m_dialog->focusWidget(), child<QPushButton>("signInButton"));
        QVERIFY(child<QLineEdit>("loginHintEdit")->isVisible());
    }

    // The waiting pages are as tall as what they show, not as the form.
    void waitingPagesHaveNoEmptyArea()
    {
        choose("methodPassword");
        QTRY_VERIFY(m_dialog->height() >= m_dialog->sizeHint().height());
        const int formHeight = m_dialog->height();
        choose("methodBrowser");
        m_dialog->start();
        m_operation->reportBrowserUrl(QUrl(QStringLiteral("https://login.example.com/authorize?x=1")), false);
        QTRY_VERIFY(m_dialog->height() < formHeight);
        QTRY_COMPARE(m_dialog->height(), m_dialog->sizeHint().height());
        // Between the address and Cancel only the layout's spacing.
        const QWidget *box = child<QWidget>("browserBox");
        const int gap = child<QPushButton>("cancelButton")->mapTo(m_dialog.get(), QPoint()).y() -
                        box->mapTo(m_dialog.get(), QPoint(0, box->height())).y();
        QVERIFY2(gap < 3 * m_dialog->fontMetrics().height(), qPrintable(QString::number(gap)));

        m_dialog->cancel();
        choose("methodDeviceCode");
        m_dialog->start();
        m_operation->reportDeviceCode({QStringLiteral("https://microsoft.com/devicelogin"),
                                       QStringLiteral("ABCD2EFGH"),
                                       QDateTime::fromSecsSinceEpoch(m_clock.now() + 900)});
        QTRY_VERIFY(m_dialog->height() < formHeight);
        QTRY_COMPARE(m_dialog->height(), m_dialog->sizeHint().height());
    }

    void retryStartsAgainForOtherMethods()
    {
        m_dialog->start();
        m_operation->fail(AuthError::authentication(QStringLiteral("Authentication failed: access_denied")));
        QTest::mouseClick(child<QPushButton>("retryButton"), Qt::LeftButton);
        QCOMPARE(m_starts, 2);
        QCOMPARE(m_dialog->page(), SignInDialog::Page::Waiting);
    }

    void operationFailingAtOnce()
    {
        auto dialog = std::make_unique<SignInDialog>([](const SignInRequest &request, QObject *parent) {
            auto *operation = new SignInOperation(request, parent);
            operation->fail(AuthError::unavailable(QStringLiteral("The embedded browser is not installed.")));
            return operation;
        });
        dialog->start();
        QCOMPARE(dialog->page(), SignInDialog::Page::Failed);
    }

    void signInAgainIsPrefilled()
    {
        SignInRequest request;
        request.authority = QStringLiteral("https://127.0.0.1:8443");
        request.tenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
        request.clientId = QStringLiteral("11111111-2222-3333-4444-555555555555");
        request.loginHint = QStringLiteral("alice@contoso.test");
        request.method = SignInMethod::DeviceCode;
        request.disableInstanceDiscovery = true;
        request.scopes = {QStringLiteral("https://graph.microsoft.com/.default")};
        request.claims =
            QStringLiteral("{\"access_token\":{\"acrs\":{\"essential\":true,\"value\":\"c1\"}}}");
        request.reason =
            QStringLiteral("Sign in again as alice@contoso.test to continue. The refresh token was revoked.");
        request.accountId = QStringLiteral("uid.utid");
        m_dialog->prefill(request);
        QVERIFY(child<QLabel>("reasonLabel")->isVisible());
        QVERIFY(child<QLabel>("reasonLabel")->text().contains(QStringLiteral("revoked")));
        QCOMPARE(child<QComboBox>("cloudCombo")->currentData().toString(), QStringLiteral("custom"));
        QCOMPARE(child<QLineEdit>("authorityEdit")->text(), request.authority);
        QCOMPARE(child<QLineEdit>("tenantEdit")->text(), request.tenant);
        QCOMPARE(child<QLineEdit>("clientIdEdit")->text(), request.clientId);
        QCOMPARE(child<QLineEdit>("loginHintEdit")->text(), request.loginHint);
        QCOMPARE(m_dialog->method(), SignInMethod::DeviceCode);
        QCOMPARE(child<QLineEdit>("scopesEdit")->text(),
                 QStringLiteral("https://graph.microsoft.com/.default"));
        m_dialog->start();
        QCOMPARE(m_started.claims, request.claims);
        QCOMPARE(m_started.accountId, request.accountId);
        QCOMPARE(m_started.scopes, request.scopes);
        QVERIFY(m_started.disableInstanceDiscovery);
        QVERIFY(!m_started.shareWithAzureTools);
    }

    void shareWithAzureTools()
    {
        auto *share = child<QCheckBox>("shareWithAzureToolsCheck");
        QVERIFY(share);
        QVERIFY(share->isVisible());
        QVERIFY(share->isEnabled());
        QVERIFY(!share->isChecked()); // off unless asked for
        QVERIFY(share->text().contains(QStringLiteral("azure.identity shared cache")));
        QVERIFY(!share->accessibleName().isEmpty());
        QVERIFY(share->toolTip().contains(QStringLiteral("SharedTokenCacheCredential")));
        m_dialog->start();
        QVERIFY(!m_started.shareWithAzureTools);
        m_dialog->cancel();

        share->setChecked(true);
        m_dialog->start();
        QCOMPARE(m_starts, 2);
        QVERIFY(m_started.shareWithAzureTools);
    }

    void shareWithAzureToolsIsPrefilled()
    {
        SignInRequest request;
        request.loginHint = QStringLiteral("alice@contoso.test");
        request.accountId = QStringLiteral("uid.utid");
        request.shareWithAzureTools = true;
        m_dialog->prefill(request);
        QVERIFY(child<QCheckBox>("shareWithAzureToolsCheck")->isChecked());
        // Unticked while signing in again: the sign-in takes it out of the shared cache.
        child<QCheckBox>("shareWithAzureToolsCheck")->setChecked(false);
        m_dialog->start();
        QVERIFY(!m_started.shareWithAzureTools);
    }

    void shareWithAzureToolsUnavailable()
    {
        auto *share = child<QCheckBox>("shareWithAzureToolsCheck");
        share->setChecked(true);
        m_dialog->setShareWithAzureToolsAvailable(false, QStringLiteral("memory-only mode"));
        QVERIFY(!share->isEnabled());
        QVERIFY(!share->isChecked());
        QCOMPARE(share->toolTip(), QStringLiteral("memory-only mode"));
        SignInRequest request;
        request.shareWithAzureTools = true;
        m_dialog->prefill(request);
        QVERIFY(!share->isChecked());
        m_dialog->start();
        QVERIFY(!m_started.shareWithAzureTools);
    }
};

QTEST_MAIN(TestSignInDialog)
#include "tst_signindialog.moc"
