#pragma once

#include "azid/model/serviceprincipals.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace azid::ui {

class ErrorPanel;

// "Add service principal": an app identity's name, authority, tenant and client id, and either its
// client secret (masked) or a certificate file (PEM with its key, or PKCS#12) chosen with a file
// dialog, with the key's password (masked). The file is read when the person adds, and its bytes go
// to the keychain (ServicePrincipals), never the path. Problems with the form show once the person has
// typed; an error of adding (a configuration the library refuses, a locked keychain) shows below the
// form. It fits its screen.
class ServicePrincipalDialog : public QDialog
{
    Q_OBJECT
public:
    // The largest certificate file read: far more than a certificate chain with its key.
    static constexpr qint64 MaxCertificateBytes = 64 * 1024;

    explicit ServicePrincipalDialog(model::ServicePrincipals *principals, QWidget *parent = nullptr);

    // What is wrong with the form (empty: nothing), whether or not it is shown yet.
    QString problem() const;
    // Shown only once the person has typed something.
    QString shownProblem() const;
    bool addEnabled() const;
    // Reads the certificate (if any) and stores the service principal; accepts on success.
    void add();

signals:
    void added(const model::ServicePrincipal &principal);

private:
    void buildForm();
    void chooseCertificate();
    void updateState();
    void setBusy(bool busy);
    [[nodiscard]] Result<model::ServicePrincipalSecret> secret() const;

    model::ServicePrincipals *m_principals;
    QLineEdit *m_name;
    QLineEdit *m_authority;
    QLineEdit *m_tenant;
    QLineEdit *m_clientId;
    QRadioButton *m_useSecret;
    QRadioButton *m_useCertificate;
    QLineEdit *m_secret;
    QLineEdit *m_certificatePath;
    QPushButton *m_choose;
    QLineEdit *m_password;
    QLabel *m_problem;
    ErrorPanel *m_error;
    QDialogButtonBox *m_buttons;
    QPushButton *m_add;
    bool m_typed = false;
};

} // namespace azid::ui
