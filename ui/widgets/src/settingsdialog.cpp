#include "azid/ui/settingsdialog.h"

#include "azid/authorityhosts.h"
#include "azid/model/cloud.h"
#include "azid/ui/readablecolors.h"
#include "azid/ui/screenfit.h"

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
#include <QShowEvent>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

namespace azid::ui {

namespace {

// Every group's form lays out the same way: labels in a column on the left, text fields growing, the
// rest at their own size.
QFormLayout *groupForm(QGroupBox *group)
{
    auto *form = new QFormLayout(group);
    form->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    form->setFormAlignment(Qt::AlignLeft | Qt::AlignTop);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    return form;
}

// The labels of all forms as wide as the widest, so that their fields start at the same place.
void alignLabels(const QList<QFormLayout *> &forms)
{
    QList<QWidget *> labels;
    int width = 0;
    for (QFormLayout *form : forms) {
        for (int row = 0; row < form->rowCount(); ++row) {
            QLayoutItem *item = form->itemAt(row, QFormLayout::LabelRole);
            if (QWidget *label = item ? item->widget() : nullptr) {
                labels << label;
                width = qMax(width, label->sizeHint().width());
            }
        }
    }
    for (QWidget *label : std::as_const(labels))
        label->setMinimumWidth(width);
}

} // namespace

SettingsDialog::SettingsDialog(model::AppSettings *settings, QWidget *parent)
    : QDialog(parent), m_settings(settings)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings — Azid"));
    auto *layout = new QVBoxLayout(this);

    // The groups scroll where the screen is too small for them; the buttons stay in view.
    auto *groups = new QWidget;
    auto *groupsLayout = new QVBoxLayout(groups);
    groupsLayout->setContentsMargins(0, 0, 0, 0);
    QList<QFormLayout *> forms;
    for (QGroupBox *group :
         {createSignInGroup(), createClipboardGroup(), createNetworkGroup(), createGeneralGroup()}) {
        group->setParent(groups);
        groupsLayout->addWidget(group);
        forms << static_cast<QFormLayout *>(group->layout());
    }
    alignLabels(forms);
    groupsLayout->addStretch();
    layout->addWidget(new FittingScrollArea(groups, this), 1);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("problemLabel"));
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    showAsProblem(m_problem);
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
    auto *signInForm = groupForm(signIn);
    m_cloud = new QComboBox(signIn);
    m_cloud->setObjectName(QStringLiteral("cloudCombo"));
    for (model::Cloud cloud :
         {model::Cloud::Public, model::Cloud::UsGovernment, model::Cloud::China, model::Cloud::Custom})
        m_cloud->addItem(model::cloudDisplayName(cloud), model::cloudKey(cloud));
    m_cloud->setToolTip(tr("The cloud the Add account dialog starts with"));
    signInForm->addRow(tr("&Cloud:"), m_cloud);
    m_authority = new QLineEdit(signIn);
    m_authority->setObjectName(QStringLiteral("authorityEdit"));
    m_authority->setPlaceholderText(QStringLiteral("https://login.example.com"));
    m_authority->setToolTip(tr("The https address of an authority that is not a Microsoft cloud"));
    signInForm->addRow(tr("&Authority URL:"), m_authority);
    m_tenant = new QLineEdit(signIn);
    m_tenant->setObjectName(QStringLiteral("tenantEdit"));
    m_tenant->setPlaceholderText(QStringLiteral("organizations"));
    m_tenant->setToolTip(tr("The tenant id or domain new sign-ins start with; empty: \"organizations\""));
    signInForm->addRow(tr("&Tenant:"), m_tenant);
    m_clientId = new QLineEdit(signIn);
    m_clientId->setObjectName(QStringLiteral("clientIdEdit"));
    m_clientId->setPlaceholderText(DeveloperSignOnClientId);
    m_clientId->setToolTip(tr("The application that signs in; empty: the one azure.identity uses"));
    signInForm->addRow(tr("C&lient ID:"), m_clientId);
    return signIn;
}

QGroupBox *SettingsDialog::createClipboardGroup()
{
    auto *clipboard = new QGroupBox(tr("Clipboard"), this);
    auto *clipboardForm = groupForm(clipboard);
    m_format = new QComboBox(clipboard);
    m_format->setObjectName(QStringLiteral("formatCombo"));
    m_format->addItem(model::tokenFormatName(model::TokenFormat::Raw), QStringLiteral("raw"));
    m_format->addItem(model::tokenFormatName(model::TokenFormat::BearerHeader), QStringLiteral("bearer"));
    m_format->setToolTip(tr("The token alone, or as an \"Authorization: Bearer\" header to paste into "
                            "a request"));
    clipboardForm->addRow(tr("Copy tokens &as:"), m_format);
    m_clearSeconds = new QSpinBox(clipboard);
    m_clearSeconds->setObjectName(QStringLiteral("clearSecondsSpin"));
    m_clearSeconds->setRange(0, 3600);
    //: The unit after the number of seconds, with its space
    m_clearSeconds->setSuffix(tr(" s"));
    // 0 is shown as what it means.
    m_clearSeconds->setSpecialValueText(tr("Never"));
    m_clearSeconds->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    m_clearSeconds->setToolTip(tr("Seconds after which a copied token is cleared from the clipboard, if "
                                  "it is still there. \"Never\" (0) leaves it until Azid quits."));
    clipboardForm->addRow(tr("C&lear the clipboard after:"), m_clearSeconds);
    return clipboard;
}

QGroupBox *SettingsDialog::createNetworkGroup()
{
    auto *network = new QGroupBox(tr("Network"), this);
    auto *networkForm = groupForm(network);
    auto *caRow = new QHBoxLayout;
    m_caBundle = new QLineEdit(network);
    m_caBundle->setObjectName(QStringLiteral("caBundleEdit"));
    m_caBundle->setAccessibleName(tr("CA bundle file"));
    m_caBundle->setPlaceholderText(tr("Extra CA certificates (PEM)"));
    m_caBundle->setToolTip(tr("A PEM file of CA certificates to trust besides the system's, e.g. those of "
                              "a TLS-inspecting proxy"));
    caRow->addWidget(m_caBundle, 1);
    auto *browse = new QPushButton(tr("&Browse…"), network);
    browse->setObjectName(QStringLiteral("browseCaBundleButton"));
    browse->setAccessibleName(tr("Choose a CA bundle file"));
    browse->setToolTip(tr("Choose a CA bundle file"));
    caRow->addWidget(browse);
    auto *caLabel = new QLabel(tr("C&A bundle:"), network);
    caLabel->setBuddy(m_caBundle);
    networkForm->addRow(caLabel, caRow);
    m_proxySystem = new QRadioButton(tr("&System proxy (HTTPS_PROXY or the desktop's settings)"), network);
    m_proxySystem->setObjectName(QStringLiteral("proxySystemRadio"));
    m_proxySystem->setToolTip(tr("Use HTTPS_PROXY when it is set, else the desktop's proxy settings"));
    m_proxyManual = new QRadioButton(tr("&Manual:"), network);
    m_proxyManual->setObjectName(QStringLiteral("proxyManualRadio"));
    m_proxyManual->setAccessibleName(tr("Manual proxy"));
    m_proxyManual->setToolTip(tr("Use the proxy given here"));
    m_proxyUrl = new QLineEdit(network);
    m_proxyUrl->setObjectName(QStringLiteral("proxyUrlEdit"));
    m_proxyUrl->setAccessibleName(tr("Proxy URL"));
    m_proxyUrl->setPlaceholderText(QStringLiteral("http://proxy.example.com:3128"));
    m_proxyUrl->setToolTip(tr("An http:// or socks5:// URL with a port; no password (it would be stored "
                              "in plain text)"));
    networkForm->addRow(tr("Proxy:"), m_proxySystem);
    auto *manualRow = new QHBoxLayout;
    manualRow->addWidget(m_proxyManual);
    manualRow->addWidget(m_proxyUrl, 1);
    networkForm->addRow(QString(), manualRow);
    connect(browse, &QPushButton::clicked, this, &SettingsDialog::chooseCaBundle);
    return network;
}

void SettingsDialog::chooseCaBundle()
{
    //: The file dialog's filters: keep the patterns in parentheses as they are
    const QString filters = tr("PEM certificates (*.pem *.crt *.cer);;All files (*)");
    auto *dialog = new QFileDialog(this, tr("Choose a CA bundle"), QString(), filters);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, m_caBundle, &QLineEdit::setText);
    dialog->open();
}

QGroupBox *SettingsDialog::createGeneralGroup()
{
    auto *general = new QGroupBox(tr("General"), this);
    auto *generalForm = groupForm(general);
    m_startAtLogin = new QCheckBox(tr("Start Azid when I log &in"), general);
    m_startAtLogin->setObjectName(QStringLiteral("startAtLoginCheck"));
    m_startAtLogin->setToolTip(tr("Adds Azid to the desktop's autostart programs"));
    generalForm->addRow(tr("Start:"), m_startAtLogin);
    m_memoryOnly = new QCheckBox(tr("Memory-only mode (from the next start)"), general);
    m_memoryOnly->setObjectName(QStringLiteral("memoryOnlyCheck"));
    const QString memoryOnly = tr("Nothing is read from or written to the keychain or the disk; accounts "
                                  "and tokens last as long as Azid runs.");
    m_memoryOnly->setToolTip(memoryOnly);
    m_memoryOnly->setAccessibleDescription(memoryOnly);
    generalForm->addRow(tr("Storage:"), m_memoryOnly);
    auto *memoryOnlyHelp = new QLabel(memoryOnly, general);
    memoryOnlyHelp->setWordWrap(true);
    generalForm->addRow(static_cast<QWidget *>(nullptr), memoryOnlyHelp);
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

void SettingsDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    if (!event->spontaneous())
        fitOnScreen(this);
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
