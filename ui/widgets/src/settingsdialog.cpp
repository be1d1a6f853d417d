#include "azid/ui/settingsdialog.h"

#include "azid/authorityhosts.h"
#include "azid/model/cloud.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

namespace azid::ui {

SettingsDialog::SettingsDialog(model::AppSettings *settings, QWidget *parent)
    : QDialog(parent), m_settings(settings)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings — Azid"));
    auto *layout = new QVBoxLayout(this);

    layout->addWidget(createSignInGroup());
    layout->addWidget(createClipboardGroup());
    layout->addWidget(createNetworkGroup());
    layout->addWidget(createGeneralGroup());

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("problemLabel"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #a4262c; }"));
    layout->addWidget(m_problem);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_saveButton = buttons->button(QDialogButtonBox::Save);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, [this]() {
        if (save())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_cloud, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateForm);
    for (QLineEdit *edit : {m_authority, m_caBundle, m_proxyUrl})
        connect(edit, &QLineEdit::textChanged, this, &SettingsDialog::updateForm);
    connect(m_proxyManual, &QRadioButton::toggled, this, &SettingsDialog::updateForm);
    load();
}

QGroupBox *SettingsDialog::createSignInGroup()
{
    auto *signIn = new QGroupBox(tr("New sign-ins"), this);
    auto *signInForm = new QFormLayout(signIn);
    m_cloud = new QComboBox(signIn);
    m_cloud->setObjectName(QStringLiteral("cloudCombo"));
    for (model::Cloud cloud :
         {model::Cloud::Public, model::Cloud::UsGovernment, model::Cloud::China, model::Cloud::Custom})
        m_cloud->addItem(model::cloudDisplayName(cloud), model::cloudKey(cloud));
    signInForm->addRow(tr("Cloud:"), m_cloud);
    m_authority = new QLineEdit(signIn);
    m_authority->setObjectName(QStringLiteral("authorityEdit"));
    m_authority->setPlaceholderText(QStringLiteral("https://login.example.com"));
    signInForm->addRow(tr("Authority URL:"), m_authority);
    m_tenant = new QLineEdit(signIn);
    m_tenant->setObjectName(QStringLiteral("tenantEdit"));
    m_tenant->setPlaceholderText(QStringLiteral("organizations"));
    signInForm->addRow(tr("Tenant:"), m_tenant);
    m_clientId = new QLineEdit(signIn);
    m_clientId->setObjectName(QStringLiteral("clientIdEdit"));
    m_clientId->setPlaceholderText(DeveloperSignOnClientId);
    signInForm->addRow(tr("Client ID:"), m_clientId);
    return signIn;
}

QGroupBox *SettingsDialog::createClipboardGroup()
{
    auto *clipboard = new QGroupBox(tr("Clipboard"), this);
    auto *clipboardForm = new QFormLayout(clipboard);
    m_format = new QComboBox(clipboard);
    m_format->setObjectName(QStringLiteral("formatCombo"));
    m_format->addItem(model::tokenFormatName(model::TokenFormat::Raw), QStringLiteral("raw"));
    m_format->addItem(model::tokenFormatName(model::TokenFormat::BearerHeader), QStringLiteral("bearer"));
    clipboardForm->addRow(tr("Copy tokens as:"), m_format);
    m_clearSeconds = new QSpinBox(clipboard);
    m_clearSeconds->setObjectName(QStringLiteral("clearSecondsSpin"));
    m_clearSeconds->setRange(0, 3600);
    //: The unit after the number of seconds, with its space
    m_clearSeconds->setSuffix(tr(" s"));
    m_clearSeconds->setSpecialValueText(tr("Never"));
    clipboardForm->addRow(tr("Clear the clipboard after:"), m_clearSeconds);
    return clipboard;
}

QGroupBox *SettingsDialog::createNetworkGroup()
{
    auto *network = new QGroupBox(tr("Network"), this);
    auto *networkForm = new QFormLayout(network);
    auto *caRow = new QHBoxLayout;
    m_caBundle = new QLineEdit(network);
    m_caBundle->setObjectName(QStringLiteral("caBundleEdit"));
    m_caBundle->setPlaceholderText(tr("Extra CA certificates (PEM), e.g. of a TLS-inspecting proxy"));
    caRow->addWidget(m_caBundle, 1);
    auto *browse = new QPushButton(tr("Browse…"), network);
    caRow->addWidget(browse);
    networkForm->addRow(tr("CA bundle:"), caRow);
    m_proxySystem = new QRadioButton(tr("System proxy (HTTPS_PROXY or the desktop's settings)"), network);
    m_proxySystem->setObjectName(QStringLiteral("proxySystemRadio"));
    m_proxyManual = new QRadioButton(tr("Manual:"), network);
    m_proxyManual->setObjectName(QStringLiteral("proxyManualRadio"));
    m_proxyUrl = new QLineEdit(network);
    m_proxyUrl->setObjectName(QStringLiteral("proxyUrlEdit"));
    m_proxyUrl->setPlaceholderText(QStringLiteral("http://proxy.example.com:3128"));
    networkForm->addRow(tr("Proxy:"), m_proxySystem);
    auto *manualRow = new QHBoxLayout;
    manualRow->addWidget(m_proxyManual);
    manualRow->addWidget(m_proxyUrl, 1);
    networkForm->addRow(QString(), manualRow);
    connect(browse, &QPushButton::clicked, this, [this]() {
        //: The file dialog's filters: keep the patterns in parentheses as they are
        const QString filters = tr("PEM certificates (*.pem *.crt *.cer);;All files (*)");
        auto *dialog = new QFileDialog(this, tr("Choose a CA bundle"), QString(), filters);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::ExistingFile);
        connect(dialog, &QFileDialog::fileSelected, m_caBundle, &QLineEdit::setText);
        dialog->open();
    });
    return network;
}

QGroupBox *SettingsDialog::createGeneralGroup()
{
    auto *general = new QGroupBox(tr("General"), this);
    auto *generalLayout = new QVBoxLayout(general);
    m_startAtLogin = new QCheckBox(tr("Start Azid when I log in"), general);
    m_startAtLogin->setObjectName(QStringLiteral("startAtLoginCheck"));
    generalLayout->addWidget(m_startAtLogin);
    m_memoryOnly = new QCheckBox(tr("Memory-only mode (from the next start): nothing is read from "
                                    "or written to the keychain or the disk; accounts and tokens "
                                    "last as long as Azid runs"),
                                 general);
    m_memoryOnly->setObjectName(QStringLiteral("memoryOnlyCheck"));
    generalLayout->addWidget(m_memoryOnly);
    return general;
}

void SettingsDialog::load()
{
    if (!m_settings)
        return;
    const QString authority = m_settings->defaultAuthority();
    const model::Cloud cloud = model::cloudOfAuthority(authority);
    m_cloud->setCurrentIndex(m_cloud->findData(model::cloudKey(cloud)));
    m_authority->setText(cloud == model::Cloud::Custom ? authority : QString());
    m_tenant->setText(m_settings->defaultTenant());
    m_clientId->setText(m_settings->defaultClientId());
    m_format->setCurrentIndex(m_settings->tokenFormat() == model::TokenFormat::BearerHeader ? 1 : 0);
    m_clearSeconds->setValue(m_settings->clipboardClearSeconds());
    m_startAtLogin->setChecked(m_settings->startAtLogin());
    m_caBundle->setText(m_settings->caBundle());
    m_proxyManual->setChecked(m_settings->proxyMode() == model::ProxyMode::Manual);
    m_proxySystem->setChecked(m_settings->proxyMode() == model::ProxyMode::System);
    m_proxyUrl->setText(m_settings->proxyUrl());
    m_memoryOnly->setChecked(m_settings->memoryOnly());
    updateForm();
}

QString SettingsDialog::problem() const
{
    if (model::cloudFromKey(m_cloud->currentData().toString()) == model::Cloud::Custom) {
        const QUrl url(m_authority->text().trimmed());
        if (url.scheme() != QStringLiteral("https") || url.host().isEmpty())
            return tr("The custom authority must be an https URL, such as https://login.example.com.");
    }
    const QString ca = m_caBundle->text().trimmed();
    if (!ca.isEmpty() && !QFileInfo(ca).isReadable())
        return tr("The CA bundle %1 cannot be read.").arg(ca);
    if (m_proxyManual->isChecked()) {
        const QUrl proxy(m_proxyUrl->text().trimmed());
        if (proxy.host().isEmpty() || proxy.port() <= 0 ||
            (proxy.scheme() != QStringLiteral("http") && proxy.scheme() != QStringLiteral("socks5")))
            return tr("The proxy is an http:// or socks5:// URL with a port, such as "
                      "http://proxy.example.com:3128.");
        // The settings file is plain text: a proxy password must not go there.
        if (!proxy.password().isEmpty())
            return tr("Azid does not store proxy passwords in its settings file. Leave the "
                      "password out of the URL, or choose the system proxy (or HTTPS_PROXY).");
    }
    return {};
}

void SettingsDialog::updateForm()
{
    const bool custom = model::cloudFromKey(m_cloud->currentData().toString()) == model::Cloud::Custom;
    m_authority->setEnabled(custom);
    m_proxyUrl->setEnabled(m_proxyManual->isChecked());
    const QString why = problem();
    m_problem->setText(why);
    m_saveButton->setEnabled(why.isEmpty());
}

bool SettingsDialog::save()
{
    if (!m_settings || !problem().isEmpty())
        return false;
    const model::Cloud cloud = model::cloudFromKey(m_cloud->currentData().toString());
    m_settings->setDefaultAuthority(cloud == model::Cloud::Custom   ? m_authority->text().trimmed()
                                    : cloud == model::Cloud::Public ? QString()
                                                                    : model::cloudAuthorityHost(cloud));
    m_settings->setDefaultTenant(m_tenant->text());
    m_settings->setDefaultClientId(m_clientId->text());
    m_settings->setTokenFormat(m_format->currentData().toString() == QStringLiteral("bearer")
                                   ? model::TokenFormat::BearerHeader
                                   : model::TokenFormat::Raw);
    m_settings->setClipboardClearSeconds(m_clearSeconds->value());
    m_settings->setStartAtLogin(m_startAtLogin->isChecked());
    m_settings->setCaBundle(m_caBundle->text());
    m_settings->setProxyMode(m_proxyManual->isChecked() ? model::ProxyMode::Manual
                                                        : model::ProxyMode::System);
    m_settings->setProxyUrl(m_proxyUrl->text());
    m_settings->setMemoryOnly(m_memoryOnly->isChecked());
    m_settings->sync();
    emit saved();
    return true;
}

} // namespace azid::ui
