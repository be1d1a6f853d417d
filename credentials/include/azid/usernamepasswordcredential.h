#pragma once

#include "azid/interactivecredential.h"
#include "azid/secret.h"

namespace azid {

struct UsernamePasswordCredentialOptions : InteractiveCredentialOptions
{
    QString username;
    Secret password;
};

// Resource owner password credentials. Works only for work or school accounts without MFA whose
// organisation checks passwords in Entra itself; every other case ends with an error saying so.
class UsernamePasswordCredential final : public InteractiveCredential
{
    Q_OBJECT
public:
    explicit UsernamePasswordCredential(const UsernamePasswordCredentialOptions &options,
                                        QObject *parent = nullptr);
    QString name() const override { return QStringLiteral("UsernamePasswordCredential"); }

protected:
    QFuture<Result<detail::TokenOutcome>> requestToken(const detail::InteractiveRequest &request) override;

private:
    QString m_username;
    Secret m_password;
};

} // namespace azid
