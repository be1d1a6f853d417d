#include "azid/errors.h"

namespace azid {

QString AuthError::kindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::CredentialUnavailable:
        return QStringLiteral("CredentialUnavailableError");
    case ErrorKind::ClientAuthentication:
        return QStringLiteral("ClientAuthenticationError");
    case ErrorKind::AuthenticationRequired:
        return QStringLiteral("AuthenticationRequiredError");
    }
    return QStringLiteral("ClientAuthenticationError");
}

QString AuthError::toString() const
{
    QString line = kindName(kind) + QStringLiteral(": ") + message;
    line.replace(QLatin1Char('\n'), QLatin1Char(' '));
    line.replace(QLatin1Char('\r'), QString());
    if (!errorCodes.isEmpty()) {
        QStringList codes;
        for (int code : errorCodes)
            codes << QStringLiteral("AADSTS%1").arg(code);
        line += QStringLiteral(" [") + codes.join(QLatin1Char(' ')) + QLatin1Char(']');
    }
    if (!correlationId.isEmpty())
        line += QStringLiteral(" (correlation id: ") + correlationId + QLatin1Char(')');
    return line;
}

AuthError AuthError::unavailable(QString message)
{
    AuthError e;
    e.kind = ErrorKind::CredentialUnavailable;
    e.message = std::move(message);
    return e;
}

AuthError AuthError::authentication(QString message)
{
    AuthError e;
    e.kind = ErrorKind::ClientAuthentication;
    e.message = std::move(message);
    return e;
}

AuthError AuthError::authenticationRequired(QStringList scopes, QString claims, QString message)
{
    AuthError e;
    e.kind = ErrorKind::AuthenticationRequired;
    e.message = message.isEmpty() ? QStringLiteral("Interactive authentication is required to get a token. "
                                                   "Call 'authenticate' to begin.")
                                  : std::move(message);
    e.scopes = std::move(scopes);
    e.claims = std::move(claims);
    return e;
}

AuthError AuthError::configuration(QString message)
{
    return authentication(std::move(message)).asConfigurationError();
}

AuthError AuthError::asConfigurationError() const
{
    AuthError e = *this;
    e.kind = ErrorKind::ClientAuthentication;
    e.invalidConfiguration = true;
    e.reason = ErrorReason::Configuration;
    e.storage = StorageFailure::None;
    return e;
}

AuthError AuthError::withReason(ErrorReason value) const
{
    AuthError e = *this;
    e.reason = value;
    e.storage = StorageFailure::None;
    return e;
}

} // namespace azid
