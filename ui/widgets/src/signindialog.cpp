#include "azid/ui/signindialog.h"

#include "azid/authorityhosts.h"
#include "azid/model/cloud.h"
#include "azid/model/errortext.h"
#include "azid/ui/copybutton.h"
#include "azid/ui/errorpanel.h"
#include "azid/ui/qrcode.h"
#include "azid/ui/readablecolors.h"
#include "azid/ui/screenfit.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDesktopServices>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QShowEvent>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace azid::ui {

namespace {

QLabel *wrappedLabel(const QString &text, QWidget *parent, const QString &name = {})
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText); // messages and addresses come from servers
    label->setText(text);
    label->setWordWrap(true);
    if (!name.isEmpty())
        label->setObjectName(name);
    return label;
}

QPushButton *button(const QString &text, QWidget *parent, const QString &name)
{
    auto *b = new QPushButton(text, parent);
    b->setObjectName(name);
    return b;
}

QString methodTitle(model::SignInMethod method)
{
    switch (method) {
    case model::SignInMethod::SystemBrowser:
        return SignInDialog::tr("Signing in with your browser");
    case model::SignInMethod::EmbeddedBrowser:
        return SignInDialog::tr("Signing in in Azid's sign-in window");
    case model::SignInMethod::DeviceCode:
        return SignInDialog::tr("Signing in with a device code");
    case model::SignInMethod::UsernamePassword:
        break;
    }
    return SignInDialog::tr("Signing in with a user name and password");
}

} // namespace

SignInDialog::SignInDialog(Starter starter, QWidget *parent)
    : QDialog(parent), m_starter(std::move(starter)), m_clock(&Clock::system())
{
    setObjectName(QStringLiteral("signInDialog"));
    setWindowTitle(tr("Add account — Azid"));
    setMinimumWidth(540);
    auto *layout = new QVBoxLayout(this);
    m_reasonLabel = wrappedLabel(QString(), this, QStringLiteral("reasonLabel"));
    // The palette's own colours, so that it reads in light and dark themes.
    m_reasonLabel->setFrameShape(QFrame::StyledPanel);
    m_reasonLabel->setAutoFillBackground(true);
    m_reasonLabel->setBackgroundRole(QPalette::AlternateBase);
    m_reasonLabel->setForegroundRole(QPalette::Text);
    m_reasonLabel->setMargin(6);
    m_reasonLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reasonLabel->hide();
    layout->addWidget(m_reasonLabel);
    m_pages = new QStackedWidget(this);
    layout->addWidget(m_pages, 1);
    buildForm();
    buildWaiting();
    buildFailed();
    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &SignInDialog::tick);
    showPage(Page::Form);
    updateForm();
}

SignInDialog::~SignInDialog()
{
    if (m_operation)
        m_operation->cancel();
}

void SignInDialog::buildForm()
{
    auto *page = new QWidget(m_pages);
    auto *pageLayout = new QVBoxLayout(page);
    pageLayout->setContentsMargins(0, 0, 0, 0);
    // The form scrolls where the screen is too small for it; its buttons stay in view.
    auto *form = new QWidget;
    auto *layout = new QVBoxLayout(form);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(createFormFields(form));
    layout->addWidget(createMethodBox(form));
    layout->addWidget(createPasswordBox(form));
    createFormOptions(form, layout);
    layout->addStretch();
    pageLayout->addWidget(new FittingScrollArea(form, page), 1);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    auto *close = button(tr("Close"), page, QStringLiteral("closeButton"));
    m_signIn = button(tr("Sign in"), page, QStringLiteral("signInButton"));
    m_signIn->setDefault(true);
    buttons->addWidget(close);
    buttons->addWidget(m_signIn);
    pageLayout->addLayout(buttons);
    m_pages->addWidget(page);

    connect(m_cloud, &QComboBox::currentIndexChanged, this, &SignInDialog::onCloudChanged);
    connect(m_scopes, &QLineEdit::textEdited, this, [this]() { m_scopesEdited = true; });
    for (QLineEdit *edit : {m_authority, m_tenant, m_clientId, m_scopes, m_username, m_password}) {
        connect(edit, &QLineEdit::textChanged, this, &SignInDialog::updateForm);
        connect(edit, &QLineEdit::textEdited, this, &SignInDialog::markTouched);
    }
    connect(m_methods, &QButtonGroup::idToggled, this, [this](int, bool checked) {
        if (checked)
            updateForm();
    });
    connect(m_signIn, &QPushButton::clicked, this, &SignInDialog::start);
    connect(close, &QPushButton::clicked, this, &QDialog::close);
    onCloudChanged();
}

void SignInDialog::createFormOptions(QWidget *form, QVBoxLayout *layout)
{
    m_makeDefault = new QCheckBox(tr("Make this the default account"), form);
    m_makeDefault->setObjectName(QStringLiteral("makeDefaultCheck"));
    m_makeDefault->setToolTip(tr("The tray menu lists the default account first; azid-cli uses it when "
                                 "no account is named."));
    layout->addWidget(m_makeDefault);
    m_shareWithAzureTools = new QCheckBox(tr("Share with Azure tools (azure.identity shared cache)"), form);
    m_shareWithAzureTools->setObjectName(QStringLiteral("shareWithAzureToolsCheck"));
    m_shareWithAzureTools->setAccessibleName(tr("Share with Azure tools"));
    m_shareWithAzureTools->setAccessibleDescription(
        tr("Also keep this account's sign-in in azure.identity's shared token cache."));
    layout->addWidget(m_shareWithAzureTools);
    setShareWithAzureToolsAvailable(true);
    m_problem = wrappedLabel(QString(), form, QStringLiteral("problemLabel"));
    showAsProblem(m_problem);
    layout->addWidget(m_problem);
}

QFormLayout *SignInDialog::createFormFields(QWidget *page)
{
    auto *form = new QFormLayout;
    m_fields = form;

    m_cloud = new QComboBox(page);
    m_cloud->setObjectName(QStringLiteral("cloudCombo"));
    for (model::Cloud cloud :
         {model::Cloud::Public, model::Cloud::UsGovernment, model::Cloud::China, model::Cloud::Custom})
        m_cloud->addItem(model::cloudDisplayName(cloud), model::cloudKey(cloud));
    m_cloud->setToolTip(tr("Where the account lives: Microsoft's public cloud, a national cloud, or "
                           "another authority"));
    form->addRow(tr("&Cloud:"), m_cloud);

    m_authority = new QLineEdit(page);
    m_authority->setObjectName(QStringLiteral("authorityEdit"));
    m_authority->setPlaceholderText(QStringLiteral("https://login.example.com"));
    m_authority->setToolTip(tr("The https address of an authority that is not a Microsoft cloud"));
    form->addRow(tr("&Authority URL:"), m_authority);
    m_skipDiscovery = new QCheckBox(tr("Not a Microsoft cloud: skip instance discovery"), page);
    m_skipDiscovery->setObjectName(QStringLiteral("skipDiscoveryCheck"));
    m_skipDiscovery->setChecked(true);
    m_skipDiscovery->setToolTip(tr("Do not ask Microsoft whether this authority is known: needed for "
                                   "authorities that are not Microsoft clouds"));
    form->addRow(QString(), m_skipDiscovery);

    m_tenant = new QLineEdit(page);
    m_tenant->setObjectName(QStringLiteral("tenantEdit"));
    //: Keep "organizations": it is what one types
    m_tenant->setPlaceholderText(tr("organizations — or a tenant id or domain"));
    m_tenant->setToolTip(tr("The directory to sign in to; empty: any work or school account's own"));
    form->addRow(tr("&Tenant:"), m_tenant);

    m_clientId = new QLineEdit(DeveloperSignOnClientId, page);
    m_clientId->setObjectName(QStringLiteral("clientIdEdit"));
    m_clientId->setToolTip(tr("The application that signs in. The default is the one "
                              "azure.identity uses (Azure CLI's)."));
    form->addRow(tr("C&lient ID:"), m_clientId);

    m_loginHint = new QLineEdit(page);
    m_loginHint->setObjectName(QStringLiteral("loginHintEdit"));
    m_loginHint->setPlaceholderText(tr("user@example.com (optional)"));
    m_loginHint->setToolTip(tr("The account to suggest on the sign-in page"));
    form->addRow(tr("Login &hint:"), m_loginHint);

    m_scopes = new QLineEdit(page);
    m_scopes->setObjectName(QStringLiteral("scopesEdit"));
    m_scopes->setToolTip(tr("Scopes to consent to now, separated by spaces."));
    form->addRow(tr("&Scopes:"), m_scopes);
    return form;
}

QGroupBox *SignInDialog::createMethodBox(QWidget *page)
{
    auto *methodBox = new QGroupBox(tr("Sign in with"), page);
    auto *methodLayout = new QVBoxLayout(methodBox);
    m_methods = new QButtonGroup(this);
    auto addMethod = [&](model::SignInMethod method, const QString &text, const QString &name) {
        auto *radio = new QRadioButton(text, methodBox);
        radio->setObjectName(name);
        m_methods->addButton(radio, static_cast<int>(method));
        methodLayout->addWidget(radio);
        return radio;
    };
    m_methodBrowser = addMethod(model::SignInMethod::SystemBrowser, tr("System &browser (recommended)"),
                                QStringLiteral("methodBrowser"));
    m_methodEmbedded = addMethod(model::SignInMethod::EmbeddedBrowser, tr("&Embedded browser window"),
                                 QStringLiteral("methodEmbedded"));
    m_methodDeviceCode =
        addMethod(model::SignInMethod::DeviceCode, tr("&Device code (sign in on another device)"),
                  QStringLiteral("methodDeviceCode"));
    m_methodPassword = addMethod(model::SignInMethod::UsernamePassword, tr("User name and &password"),
                                 QStringLiteral("methodPassword"));
    m_methodBrowser->setChecked(true);
    return methodBox;
}

QGroupBox *SignInDialog::createPasswordBox(QWidget *page)
{
    m_passwordBox = new QGroupBox(tr("User name and password"), page);
    auto *passwordLayout = new QFormLayout(m_passwordBox);
    auto *warning = wrappedLabel(
        tr("Only for work or school accounts without multi-factor authentication whose password "
           "Entra ID checks itself. Accounts with MFA, federated accounts and personal Microsoft "
           "accounts cannot sign in this way: use a browser or a device code."),
        m_passwordBox, QStringLiteral("passwordWarning"));
    passwordLayout->addRow(warning);
    m_username = new QLineEdit(m_passwordBox);
    m_username->setObjectName(QStringLiteral("usernameEdit"));
    m_username->setPlaceholderText(QStringLiteral("user@example.com"));
    passwordLayout->addRow(tr("&User name:"), m_username);
    m_password = new QLineEdit(m_passwordBox);
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setToolTip(tr("Used once for this sign-in and never stored"));
    passwordLayout->addRow(tr("Pass&word:"), m_password);
    return m_passwordBox;
}

void SignInDialog::buildWaiting()
{
    auto *page = new QWidget(m_pages);
    auto *layout = new QVBoxLayout(page);
    m_waitingTitle = new QLabel(page);
    m_waitingTitle->setObjectName(QStringLiteral("waitingTitle"));
    QFont title = m_waitingTitle->font();
    title.setPointSizeF(title.pointSizeF() * 1.3);
    title.setBold(true);
    m_waitingTitle->setFont(title);
    layout->addWidget(m_waitingTitle);
    m_waitingStatus = wrappedLabel(QString(), page, QStringLiteral("waitingStatus"));
    layout->addWidget(m_waitingStatus);
    m_progress = new QProgressBar(page);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->setAccessibleName(tr("Sign-in progress"));
    layout->addWidget(m_progress);

    layout->addWidget(createBrowserBox(page));
    layout->addWidget(createDeviceBox(page));

    layout->addStretch();
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    auto *cancelButton = button(tr("Cancel"), page, QStringLiteral("cancelButton"));
    buttons->addWidget(cancelButton);
    layout->addLayout(buttons);
    connect(cancelButton, &QPushButton::clicked, this, &SignInDialog::cancel);
    m_pages->addWidget(page);
}

QWidget *SignInDialog::createBrowserBox(QWidget *page)
{
    m_browserBox = new QWidget(page);
    m_browserBox->setObjectName(QStringLiteral("browserBox"));
    auto *browserLayout = new QVBoxLayout(m_browserBox);
    browserLayout->setContentsMargins(0, 0, 0, 0);
    browserLayout->addWidget(
        wrappedLabel(tr("If no browser window opened, open this address in a browser on this computer "
                        "(the sign-in comes back to Azid through http://localhost):"),
                     m_browserBox));
    auto *urlRow = new QHBoxLayout;
    m_url = new QLineEdit(m_browserBox);
    m_url->setObjectName(QStringLiteral("urlEdit"));
    m_url->setReadOnly(true);
    m_url->setAccessibleName(tr("Sign-in address"));
    urlRow->addWidget(m_url, 1);
    auto *copyUrl = new CopyButton(
        tr("Copy"), [this]() { return m_url->text(); }, m_browserBox);
    copyUrl->setObjectName(QStringLiteral("copyUrlButton"));
    copyUrl->setAccessibleName(tr("Copy the sign-in address"));
    auto *openUrl = button(tr("Open"), m_browserBox, QStringLiteral("openUrlButton"));
    openUrl->setAccessibleName(tr("Open the sign-in address"));
    urlRow->addWidget(copyUrl);
    urlRow->addWidget(openUrl);
    browserLayout->addLayout(urlRow);
    connect(openUrl, &QPushButton::clicked, this,
            [this]() { QDesktopServices::openUrl(QUrl::fromEncoded(m_url->text().toUtf8())); });
    return m_browserBox;
}

QWidget *SignInDialog::createDeviceBox(QWidget *page)
{
    m_deviceBox = new QWidget(page);
    m_deviceBox->setObjectName(QStringLiteral("deviceBox"));
    auto *deviceLayout = new QHBoxLayout(m_deviceBox);
    deviceLayout->setContentsMargins(0, 0, 0, 0);
    auto *deviceText = new QVBoxLayout;
    m_verificationLink = wrappedLabel(QString(), m_deviceBox, QStringLiteral("verificationLink"));
    m_verificationLink->setTextFormat(Qt::RichText); // a link; the address in it is escaped
    m_verificationLink->setOpenExternalLinks(true);
    m_verificationLink->setTextInteractionFlags(Qt::TextBrowserInteraction);
    deviceText->addWidget(m_verificationLink);
    m_userCode = new QLabel(m_deviceBox);
    m_userCode->setObjectName(QStringLiteral("userCodeLabel"));
    QFont code = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    code.setPointSize(28);
    code.setBold(true);
    m_userCode->setFont(code);
    m_userCode->setTextFormat(Qt::PlainText);
    m_userCode->setTextInteractionFlags(Qt::TextSelectableByMouse);
    deviceText->addWidget(m_userCode);
    auto *copyCode = new CopyButton(
        tr("Copy code"), [this]() { return m_userCode->text(); }, m_deviceBox);
    copyCode->setObjectName(QStringLiteral("copyCodeButton"));
    deviceText->addWidget(copyCode, 0, Qt::AlignLeft);
    m_countdownLabel = wrappedLabel(QString(), m_deviceBox, QStringLiteral("countdownLabel"));
    deviceText->addWidget(m_countdownLabel);
    deviceLayout->addLayout(deviceText, 1);
    m_qrCode = new QLabel(m_deviceBox);
    m_qrCode->setObjectName(QStringLiteral("qrCodeLabel"));
    m_qrCode->setToolTip(tr("Scan to open the verification page on a phone"));
    deviceLayout->addWidget(m_qrCode, 0, Qt::AlignTop);
    return m_deviceBox;
}

void SignInDialog::buildFailed()
{
    auto *page = new QWidget(m_pages);
    auto *layout = new QVBoxLayout(page);
    auto *title = new QLabel(tr("The sign-in failed"), page);
    QFont font = title->font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    font.setBold(true);
    title->setFont(font);
    layout->addWidget(title);
    m_errorPanel = new ErrorPanel(page);
    layout->addWidget(m_errorPanel, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    auto *back = button(tr("Back"), page, QStringLiteral("backButton"));
    back->setToolTip(tr("Back to the form, to change something"));
    m_errorActionButton = button(tr("Try again"), page, QStringLiteral("retryButton"));
    m_errorActionButton->setDefault(true);
    buttons->addWidget(back);
    buttons->addWidget(m_errorActionButton);
    layout->addLayout(buttons);
    connect(back, &QPushButton::clicked, this, &SignInDialog::backToForm);
    connect(m_errorActionButton, &QPushButton::clicked, this, &SignInDialog::runErrorAction);
    m_pages->addWidget(page);
}

void SignInDialog::runErrorAction()
{
    backToForm();
    if (m_errorAction == model::ErrorAction::SignInWithBrowser) {
        // The user name typed for the password becomes the browser's login hint.
        if (m_loginHint->text().trimmed().isEmpty())
            m_loginHint->setText(m_lastRequest.loginHint);
        setMethod(model::SignInMethod::SystemBrowser);
        start();
        return;
    }
    // The password was cleared after use: it has to be typed again.
    if (method() == model::SignInMethod::UsernamePassword)
        m_password->setFocus();
    else
        start();
}

void SignInDialog::showPage(Page page)
{
    m_page = page;
    if (page != Page::Succeeded)
        m_pages->setCurrentIndex(static_cast<int>(page));
    // Only the page shown decides the dialog's size: no empty space left by a larger hidden page.
    for (int index = 0; index < m_pages->count(); ++index) {
        const auto policy = index == m_pages->currentIndex() ? QSizePolicy::Preferred : QSizePolicy::Ignored;
        m_pages->widget(index)->setSizePolicy(policy, policy);
    }
    fitToPage();
}

void SignInDialog::fitToPage()
{
    // After the layouts have taken in what changed (pages, boxes shown or hidden).
    QTimer::singleShot(0, this, [this]() {
        if (layout())
            layout()->activate();
        fitOnScreen(this);
    });
}

void SignInDialog::setClock(const Clock *clock)
{
    m_clock = clock ? clock : &Clock::system();
}

void SignInDialog::setDefaults(const SignInDefaults &defaults)
{
    const model::Cloud cloud = model::cloudOfAuthority(defaults.authority);
    m_cloud->setCurrentIndex(m_cloud->findData(model::cloudKey(cloud)));
    if (cloud == model::Cloud::Custom)
        m_authority->setText(defaults.authority.contains(QStringLiteral("://"))
                                 ? defaults.authority
                                 : QStringLiteral("https://") + defaults.authority);
    m_tenant->setText(defaults.tenant);
    m_clientId->setText(defaults.clientId.isEmpty() ? DeveloperSignOnClientId : defaults.clientId);
    if (const auto method = model::signInMethodFromKey(defaults.methodKey))
        setMethod(*method);
    onCloudChanged();
    updateForm();
}

void SignInDialog::prefill(const model::SignInRequest &request)
{
    setDefaults(
        {request.authority, request.tenant, request.clientId, model::signInMethodKey(request.method)});
    m_loginHint->setText(request.loginHint);
    m_username->setText(request.username.isEmpty() ? request.loginHint : request.username);
    if (!request.scopes.isEmpty()) {
        m_scopes->setText(request.scopes.join(QLatin1Char(' ')));
        m_scopesEdited = true;
    }
    if (model::cloudOfAuthority(request.authority) == model::Cloud::Custom)
        m_skipDiscovery->setChecked(request.disableInstanceDiscovery);
    m_makeDefault->setChecked(request.makeDefault);
    m_shareWithAzureTools->setChecked(request.shareWithAzureTools && m_shareWithAzureTools->isEnabled());
    m_claims = request.claims;
    m_accountId = request.accountId;
    m_reason = request.reason;
    m_reasonLabel->setText(model::readableMessage(m_reason));
    m_reasonLabel->setVisible(!m_reason.isEmpty());
    if (!request.accountId.isEmpty())
        setWindowTitle(tr("Sign in again: %1 — Azid").arg(request.loginHint));
    updateForm();
    firstFieldToFill()->setFocus(Qt::OtherFocusReason);
}

void SignInDialog::setEmbeddedBrowserAvailable(bool available, const QString &reason)
{
    m_embeddedAvailable = available;
    m_methodEmbedded->setEnabled(available);
    m_methodEmbedded->setToolTip(available ? tr("A Qt WebEngine window of Azid's own: it shows the "
                                                "host it is on and uses Azid's proxy and CA settings.")
                                           : reason);
    if (!available && m_methodEmbedded->isChecked())
        m_methodBrowser->setChecked(true);
}

void SignInDialog::setShareWithAzureToolsAvailable(bool available, const QString &reason)
{
    m_shareWithAzureTools->setEnabled(available);
    if (!available)
        m_shareWithAzureTools->setChecked(false);
    m_shareWithAzureTools->setToolTip(
        available ? tr("After each sign-in and token refresh, Azid also copies this account's tokens into "
                       "azure.identity's shared token cache (\"msal.cache\" in the keychain), where "
                       "SharedTokenCacheCredential, DefaultAzureCredential and other Microsoft tools "
                       "find them. Turning it off later removes the account from that cache.")
                  : reason);
}

model::SignInMethod SignInDialog::method() const
{
    const int id = m_methods->checkedId();
    return id < 0 ? model::SignInMethod::SystemBrowser : static_cast<model::SignInMethod>(id);
}

void SignInDialog::setMethod(model::SignInMethod method)
{
    if (method == model::SignInMethod::EmbeddedBrowser && !m_embeddedAvailable)
        method = model::SignInMethod::SystemBrowser;
    if (QAbstractButton *radio = m_methods->button(static_cast<int>(method)))
        radio->setChecked(true);
}

void SignInDialog::onCloudChanged()
{
    const model::Cloud cloud = model::cloudFromKey(m_cloud->currentData().toString());
    const bool custom = cloud == model::Cloud::Custom;
    m_authority->setEnabled(custom);
    m_skipDiscovery->setEnabled(custom);
    if (!m_scopesEdited)
        m_scopes->setText(model::resourceManagerScope(cloud));
    updateForm();
}

model::SignInRequest SignInDialog::formRequest() const
{
    model::SignInRequest request;
    const model::Cloud cloud = model::cloudFromKey(m_cloud->currentData().toString());
    request.authority =
        cloud == model::Cloud::Custom ? m_authority->text().trimmed() : model::cloudAuthorityHost(cloud);
    request.disableInstanceDiscovery = cloud == model::Cloud::Custom && m_skipDiscovery->isChecked();
    request.tenant = m_tenant->text().trimmed();
    request.clientId = m_clientId->text().trimmed();
    request.loginHint = m_loginHint->text().trimmed();
    request.scopes = m_scopes->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    request.claims = m_claims;
    request.method = method();
    request.makeDefault = m_makeDefault->isChecked();
    request.shareWithAzureTools = m_shareWithAzureTools->isEnabled() && m_shareWithAzureTools->isChecked();
    request.reason = m_reason;
    request.accountId = m_accountId;
    if (request.method == model::SignInMethod::UsernamePassword) {
        request.username = m_username->text().trimmed();
        if (request.loginHint.isEmpty())
            request.loginHint = request.username;
    }
    return request;
}

QString SignInDialog::problem() const
{
    const model::SignInRequest request = formRequest();
    if (model::cloudFromKey(m_cloud->currentData().toString()) == model::Cloud::Custom) {
        const QUrl url(request.authority);
        if (request.authority.isEmpty())
            return tr("Enter the authority's URL, such as https://login.example.com.");
        if (!url.isValid() || url.scheme() != QStringLiteral("https") || url.host().isEmpty())
            return tr("The authority must be an https URL, such as https://login.example.com.");
    }
    if (request.clientId.isEmpty())
        return tr("Enter a client ID (the default is %1).").arg(DeveloperSignOnClientId);
    if (request.tenant.contains(QLatin1Char(' ')) || request.tenant.contains(QLatin1Char('/')))
        return tr("The tenant is an id (a GUID), a domain or \"organizations\".");
    if (request.method == model::SignInMethod::UsernamePassword) {
        if (request.username.isEmpty())
            return tr("Enter the user name.");
        if (m_password->text().isEmpty())
            return tr("Enter the password.");
    }
    return {};
}

void SignInDialog::updateForm()
{
    const bool password = method() == model::SignInMethod::UsernamePassword;
    if (m_passwordBox->isVisibleTo(this) != password) {
        m_passwordBox->setVisible(password);
        // The user name is the login hint of a password sign-in.
        m_fields->setRowVisible(m_loginHint, !password);
        // The box and its wrapped warning change the height the form needs.
        fitToPage();
    }
    const QString why = problem();
    // Nothing is wrong with a form nobody has touched yet: the button's tooltip says what is missing.
    m_problem->setText(m_touched ? why : QString());
    m_signIn->setEnabled(why.isEmpty());
    m_signIn->setToolTip(why.isEmpty() ? tr("Sign in (Enter)") : why);
}

void SignInDialog::markTouched()
{
    if (m_touched)
        return;
    m_touched = true;
    updateForm();
}

QWidget *SignInDialog::firstFieldToFill() const
{
    if (model::cloudFromKey(m_cloud->currentData().toString()) == model::Cloud::Custom &&
        m_authority->text().trimmed().isEmpty())
        return m_authority;
    if (m_clientId->text().trimmed().isEmpty())
        return m_clientId;
    if (method() == model::SignInMethod::UsernamePassword)
        return m_username->text().trimmed().isEmpty() ? m_username : m_password;
    return m_signIn;
}

void SignInDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    if (!event->spontaneous())
        fitToPage();
}

void SignInDialog::start()
{
    if (m_page == Page::Waiting)
        return;
    if (!problem().isEmpty()) {
        markTouched();
        return;
    }
    model::SignInRequest request = formRequest();
    if (request.method == model::SignInMethod::UsernamePassword) {
        request.password = Secret::fromString(m_password->text());
        // The password is used once and not kept in the form.
        m_password->clear();
    }
    m_lastRequest = request;
    m_lastRequest.password.clear();

    m_waitingTitle->setText(methodTitle(request.method));
    m_waitingStatus->setText(tr("Starting…"));
    m_browserBox->hide();
    m_deviceBox->hide();
    m_url->clear();
    m_userCode->clear();
    m_qrCode->clear();
    m_countdownLabel->clear();
    showPage(Page::Waiting);

    m_operation = m_starter(request, this);
    if (!m_operation) {
        onFailed();
        return;
    }
    connect(m_operation, &model::SignInOperation::statusChanged, m_waitingStatus, &QLabel::setText);
    connect(m_operation, &model::SignInOperation::browserUrlReported, this, &SignInDialog::onBrowserUrl);
    connect(m_operation, &model::SignInOperation::deviceCodeReported, this, &SignInDialog::onDeviceCode);
    connect(m_operation, &model::SignInOperation::succeeded, this, &SignInDialog::onSucceeded);
    connect(m_operation, &model::SignInOperation::failed, this, &SignInDialog::onFailed);
    connect(m_operation, &model::SignInOperation::cancelled, this, &SignInDialog::onCancelled);
    if (!m_operation->status().isEmpty())
        m_waitingStatus->setText(m_operation->status());
    if (!m_operation->isRunning()) {
        // Finished before anyone listened (e.g. failed at once).
        switch (m_operation->state()) {
        case model::SignInOperation::State::Succeeded:
            onSucceeded();
            break;
        case model::SignInOperation::State::Failed:
            onFailed();
            break;
        default:
            onCancelled();
        }
    }
}

void SignInDialog::cancel()
{
    if (m_operation && m_operation->isRunning())
        m_operation->cancel();
    else if (m_page == Page::Waiting)
        onCancelled();
}

void SignInDialog::backToForm()
{
    m_countdown.stop();
    showPage(Page::Form);
    updateForm();
}

void SignInDialog::onBrowserUrl()
{
    if (!m_operation)
        return;
    m_url->setText(QString::fromUtf8(m_operation->browserUrl().toEncoded()));
    m_url->setCursorPosition(0);
    // The embedded window shows its own address bar; the address here is for the system browser.
    m_browserBox->setVisible(m_operation->request().method == model::SignInMethod::SystemBrowser);
    fitToPage();
}

void SignInDialog::onDeviceCode()
{
    if (!m_operation || !m_operation->deviceCode())
        return;
    const model::DeviceCodeInfo code = *m_operation->deviceCode();
    //: %1 is the link's address, %2 the address as shown
    m_verificationLink->setText(
        tr("Open <a href=\"%1\">%2</a> in a browser on any device and enter this code:")
            .arg(code.verificationUri.toHtmlEscaped(), code.verificationUri.toHtmlEscaped()));
    m_userCode->setText(code.userCode);
    const QImage qr = qrCodeImage(code.verificationUri, 4);
    if (!qr.isNull())
        m_qrCode->setPixmap(QPixmap::fromImage(qr));
    m_deviceBox->show();
    fitToPage();
    m_countdown.start();
    tick();
}

QString SignInDialog::countdownText() const
{
    if (!m_operation || !m_operation->deviceCode())
        return {};
    const qint64 left = m_operation->deviceCode()->expiresOn.toSecsSinceEpoch() - m_clock->now();
    if (left <= 0)
        return tr("The code has expired: cancel and start again for a new one.");
    //: %1:%2 is the time left: minutes and seconds
    return tr("The code expires in %1:%2.").arg(left / 60).arg(left % 60, 2, 10, QLatin1Char('0'));
}

void SignInDialog::tick()
{
    m_countdownLabel->setText(countdownText());
}

void SignInDialog::onSucceeded()
{
    m_countdown.stop();
    if (!m_operation || !m_operation->account())
        return;
    const StoredAccount account = *m_operation->account();
    showPage(Page::Succeeded);
    emit signedIn(account, m_lastRequest);
    accept();
}

void SignInDialog::onFailed()
{
    m_countdown.stop();
    const AuthError error =
        m_operation ? m_operation->error() : AuthError::unavailable(tr("The sign-in could not be started."));
    m_errorPanel->setError(error);
    m_errorAction = model::suggestedAction(error, m_lastRequest.method);
    const bool browser = m_errorAction == model::ErrorAction::SignInWithBrowser;
    m_errorActionButton->setText(browser ? tr("Sign in with the browser") : tr("Try again"));
    m_errorActionButton->setToolTip(browser ? tr("Sign in with the system browser, where multi-factor "
                                                 "authentication works")
                                            : tr("Start the same sign-in again"));
    showPage(Page::Failed);
    m_errorActionButton->setFocus(Qt::OtherFocusReason);
}

void SignInDialog::onCancelled()
{
    m_countdown.stop();
    showPage(Page::Form);
    m_problem->setText(tr("The sign-in was cancelled."));
}

void SignInDialog::closeEvent(QCloseEvent *event)
{
    if (m_operation && m_operation->isRunning())
        m_operation->cancel();
    m_password->clear();
    QDialog::closeEvent(event);
}

} // namespace azid::ui
