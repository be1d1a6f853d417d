#include "azid/ui/serviceprincipaldialog.h"

#include "azid/boundedfile.h"
#include "azid/model/whenready.h"
#include "azid/ui/errorpanel.h"
#include "azid/ui/screenfit.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QUrl>
#include <QUuid>
#include <QVBoxLayout>

namespace azid::ui {

namespace {

QLineEdit *field(QWidget *parent, const QString &name, const QString &tip, const QString &placeholder = {})
{
    auto *edit = new QLineEdit(parent);
    edit->setAccessibleName(name);
    edit->setToolTip(tip);
    edit->setPlaceholderText(placeholder);
    return edit;
}

bool isGuid(const QString &text)
{
    return !QUuid::fromString(text.trimmed()).isNull();
}

} // namespace

ServicePrincipalDialog::ServicePrincipalDialog(model::ServicePrincipals *principals, QWidget *parent)
    : QDialog(parent), m_principals(principals)
{
    setWindowTitle(tr("Add service principal"));
    buildForm();
    updateState();
    fitOnScreen(this);
}

void ServicePrincipalDialog::buildForm()
{
    auto *form = new QWidget(this);
    auto *layout = new QFormLayout(form);
    m_name = field(form, tr("Name"), tr("How the tray menu names this app; empty: its client id"));
    m_authority = field(form, tr("Authority"),
                        tr("The https address of the authority; empty: Microsoft's public cloud"),
                        QStringLiteral("login.microsoftonline.com"));
    m_tenant = field(form, tr("Tenant ID"), tr("The directory the app is registered in (its id or domain)"));
    m_clientId = field(form, tr("Client ID"), tr("The app's application (client) id"));
    layout->addRow(tr("&Name:"), m_name);
    layout->addRow(tr("&Authority:"), m_authority);
    layout->addRow(tr("&Tenant ID:"), m_tenant);
    layout->addRow(tr("&Client ID:"), m_clientId);

    m_useSecret = new QRadioButton(tr("Client &secret"), form);
    m_useSecret->setToolTip(tr("The app proves who it is with one of its client secrets"));
    m_useCertificate = new QRadioButton(tr("C&ertificate"), form);
    m_useCertificate->setToolTip(tr("The app proves who it is with a certificate and its private key"));
    m_useSecret->setChecked(true);
    auto *kinds = new QHBoxLayout;
    kinds->addWidget(m_useSecret);
    kinds->addWidget(m_useCertificate);
    layout->addRow(tr("Credential:"), kinds);

    m_secret = field(form, tr("Client secret"), tr("Kept in the keychain, never in a file"));
    m_secret->setEchoMode(QLineEdit::Password);
    layout->addRow(tr("Secre&t:"), m_secret);
    m_certificatePath = field(form, tr("Certificate file"),
                              tr("A PEM file with the certificate and its private key, or a PKCS#12 file; "
                                 "its contents are kept in the keychain"));
    m_choose = new QPushButton(tr("C&hoose…"), form);
    m_choose->setAccessibleName(tr("Choose certificate file"));
    m_choose->setToolTip(tr("Choose the certificate file"));
    auto *certificateRow = new QHBoxLayout;
    certificateRow->addWidget(m_certificatePath);
    certificateRow->addWidget(m_choose);
    layout->addRow(tr("Certificate &file:"), certificateRow);
    m_password = field(form, tr("Certificate password"),
                       tr("The password of the private key or PKCS#12 file; empty: none"));
    m_password->setEchoMode(QLineEdit::Password);
    layout->addRow(tr("Certificate &password:"), m_password);

    m_problem = new QLabel(this);
    m_problem->setAccessibleName(tr("Problem with the form"));
    m_problem->setWordWrap(true);
    m_error = new ErrorPanel(this);
    m_error->hide();
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_add = m_buttons->addButton(tr("&Add"), QDialogButtonBox::AcceptRole);
    m_add->setAccessibleName(tr("Add service principal"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ServicePrincipalDialog::add);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_choose, &QPushButton::clicked, this, &ServicePrincipalDialog::chooseCertificate);
    for (QLineEdit *edit :
         {m_name, m_authority, m_tenant, m_clientId, m_secret, m_certificatePath, m_password}) {
        connect(edit, &QLineEdit::textEdited, this, [this]() {
            m_typed = true;
            updateState();
        });
    }
    connect(m_useCertificate, &QRadioButton::toggled, this, &ServicePrincipalDialog::updateState);

    auto *outer = new QVBoxLayout(this);
    outer->addWidget(new FittingScrollArea(form, this));
    outer->addWidget(m_problem);
    outer->addWidget(m_error);
    outer->addWidget(m_buttons);
}

void ServicePrincipalDialog::chooseCertificate()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose the certificate"), QString(),
                                                      tr("Certificates (*.pem *.pfx *.p12);;All files (*)"));
    if (path.isEmpty())
        return;
    m_certificatePath->setText(path);
    m_typed = true;
    updateState();
}

QString ServicePrincipalDialog::problem() const
{
    const QString authority = m_authority->text().trimmed();
    if (authority.contains(QLatin1String("://")) && !authority.startsWith(QLatin1String("https://")))
        return tr("The authority must be an https address.");
    if (m_tenant->text().trimmed().isEmpty())
        return tr("Enter the tenant the app is registered in.");
    if (!isGuid(m_clientId->text()))
        return tr("The client ID is a GUID, e.g. 00000000-0000-0000-0000-000000000000.");
    if (m_useSecret->isChecked() && m_secret->text().isEmpty())
        return tr("Enter the client secret.");
    if (m_useCertificate->isChecked() && m_certificatePath->text().trimmed().isEmpty())
        return tr("Choose the certificate file.");
    return {};
}

QString ServicePrincipalDialog::shownProblem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

bool ServicePrincipalDialog::addEnabled() const
{
    return m_add->isEnabled();
}

void ServicePrincipalDialog::updateState()
{
    const bool certificate = m_useCertificate->isChecked();
    m_secret->setEnabled(!certificate);
    m_certificatePath->setEnabled(certificate);
    m_choose->setEnabled(certificate);
    m_password->setEnabled(certificate);
    const QString text = problem();
    m_problem->setText(m_typed ? text : QString());
    m_problem->setHidden(!m_typed || text.isEmpty());
    m_add->setEnabled(text.isEmpty());
}

void ServicePrincipalDialog::setBusy(bool busy)
{
    setEnabled(!busy);
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

Result<model::ServicePrincipalSecret> ServicePrincipalDialog::secret() const
{
    model::ServicePrincipalSecret secret;
    if (m_useSecret->isChecked()) {
        secret.clientSecret = Secret::fromString(m_secret->text());
        return secret;
    }
    const QString path = m_certificatePath->text().trimmed();
    auto bytes = readFileAtMost(path, MaxCertificateBytes, tr("The certificate file %1").arg(path));
    if (!bytes)
        return bytes.error();
    secret.certificate = Secret(bytes.value());
    bytes.value().fill('\0');
    secret.certificatePassword = Secret::fromString(m_password->text());
    return secret;
}

void ServicePrincipalDialog::add()
{
    if (!problem().isEmpty() || !m_principals)
        return;
    const auto read = secret();
    if (!read) {
        m_error->setError(read.error());
        m_error->show();
        fitOnScreen(this);
        return;
    }
    model::ServicePrincipal principal;
    principal.displayName = m_name->text().trimmed();
    principal.authority = m_authority->text().trimmed();
    principal.tenantId = m_tenant->text().trimmed();
    principal.clientId = m_clientId->text().trimmed();
    principal.kind = m_useCertificate->isChecked() ? model::ServicePrincipal::Kind::Certificate
                                                   : model::ServicePrincipal::Kind::Secret;
    setBusy(true);
    model::whenReady(m_principals->add(principal, read.value()), this,
                     [this](const Result<model::ServicePrincipal> &result) {
                         setBusy(false);
                         if (!result) {
                             m_error->setError(result.error());
                             m_error->show();
                             fitOnScreen(this);
                             return;
                         }
                         emit added(result.value());
                         accept();
                     });
}

} // namespace azid::ui
