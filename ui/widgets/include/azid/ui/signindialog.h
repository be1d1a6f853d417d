#pragma once

#include "azid/clock.h"
#include "azid/model/errortext.h"
#include "azid/model/signinoperation.h"

#include <QDialog>
#include <QPointer>
#include <QTimer>

#include <functional>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QStackedWidget;
class QVBoxLayout;

namespace azid::ui {

class CopyButton;
class ErrorPanel;

struct SignInDefaults
{
    QString authority; // host or URL; empty: the public cloud
    QString tenant;
    QString clientId; // empty: azure.identity's default
    QString methodKey;
};

// Signs an account in: the cloud or a custom authority, tenant, client id, login hint, scopes and
// the method. While the sign-in runs it shows what the method needs (the address to open, or the
// device code with its link, QR code and countdown) with progress and a Cancel button; an error
// says what happened and what to do, with its details (AADSTS codes, correlation id) collapsed and
// copyable, and offers what can succeed: "Try again", or "Sign in with the browser" when a password
// cannot. Problems with the form show once the person has typed something. Non-modal;
// nothing in it waits. It fits its screen, scrolling the form where the screen is small.
class SignInDialog : public QDialog
{
    Q_OBJECT
public:
    using Starter =
        std::function<model::SignInOperation *(const model::SignInRequest &request, QObject *parent)>;
    enum class Page { Form, Waiting, Failed, Succeeded };
    Q_ENUM(Page)

    explicit SignInDialog(Starter starter, QWidget *parent = nullptr);
    ~SignInDialog() override;

    void setDefaults(const SignInDefaults &defaults);
    // Signing in again: the account's authority, tenant, client, user and method, and why.
    void prefill(const model::SignInRequest &request);
    void setEmbeddedBrowserAvailable(bool available, const QString &reason = {});
    // "Share with Azure tools" (AccountService::canShareWithAzureTools()); unavailable: disabled and
    // unchecked, with the reason as its tooltip.
    void setShareWithAzureToolsAvailable(bool available, const QString &reason = {});
    void setClock(const Clock *clock);

    Page page() const { return m_page; }
    // What the form says now (without the password); empty problem() when it can start.
    model::SignInRequest formRequest() const;
    QString problem() const;
    model::SignInMethod method() const;
    void setMethod(model::SignInMethod method);
    model::SignInOperation *operation() const { return m_operation; }
    QString countdownText() const;
    // The field a person must fill first: the password when the user name is known, the user name,
    // a custom authority's URL; else the Sign in button.
    QWidget *firstFieldToFill() const;

public slots:
    void start();
    void cancel();
    void backToForm();

signals:
    void signedIn(const StoredAccount &account, const model::SignInRequest &request);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildForm();
    QFormLayout *createFormFields(QWidget *page);
    void createFormOptions(QWidget *form, QVBoxLayout *layout);
    QGroupBox *createMethodBox(QWidget *page);
    QGroupBox *createPasswordBox(QWidget *page);
    void buildWaiting();
    QWidget *createBrowserBox(QWidget *page);
    QWidget *createDeviceBox(QWidget *page);
    void buildFailed();
    void showPage(Page page);
    void fitToPage();
    void updateForm();
    void markTouched();
    void runErrorAction();
    void onCloudChanged();
    void onBrowserUrl();
    void onDeviceCode();
    void onSucceeded();
    void onFailed();
    void onCancelled();
    void tick();

    Starter m_starter;
    const Clock *m_clock;
    Page m_page = Page::Form;
    QPointer<model::SignInOperation> m_operation;
    model::SignInRequest m_lastRequest;
    QString m_reason;
    QString m_claims;
    QString m_accountId;
    bool m_scopesEdited = false;
    bool m_embeddedAvailable = true;
    bool m_touched = false; // the person typed or tried to sign in: problems may show
    model::ErrorAction m_errorAction = model::ErrorAction::TryAgain;
    QTimer m_countdown;

    QLabel *m_reasonLabel = nullptr;
    QStackedWidget *m_pages = nullptr;
    // Form
    QFormLayout *m_fields = nullptr;
    QComboBox *m_cloud = nullptr;
    QLineEdit *m_authority = nullptr;
    QCheckBox *m_skipDiscovery = nullptr;
    QLineEdit *m_tenant = nullptr;
    QLineEdit *m_clientId = nullptr;
    QLineEdit *m_loginHint = nullptr;
    QLineEdit *m_scopes = nullptr;
    QButtonGroup *m_methods = nullptr;
    QRadioButton *m_methodBrowser = nullptr;
    QRadioButton *m_methodEmbedded = nullptr;
    QRadioButton *m_methodDeviceCode = nullptr;
    QRadioButton *m_methodPassword = nullptr;
    QGroupBox *m_passwordBox = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_makeDefault = nullptr;
    QCheckBox *m_shareWithAzureTools = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_signIn = nullptr;
    // Waiting
    QLabel *m_waitingTitle = nullptr;
    QLabel *m_waitingStatus = nullptr;
    QProgressBar *m_progress = nullptr;
    QWidget *m_browserBox = nullptr;
    QLineEdit *m_url = nullptr;
    QWidget *m_deviceBox = nullptr;
    QLabel *m_verificationLink = nullptr;
    QLabel *m_userCode = nullptr;
    QLabel *m_qrCode = nullptr;
    QLabel *m_countdownLabel = nullptr;
    // Failed
    ErrorPanel *m_errorPanel = nullptr;
    QPushButton *m_errorActionButton = nullptr;
};

} // namespace azid::ui
