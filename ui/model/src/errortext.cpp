#include "azid/model/errortext.h"

#include "azid/keychain/storagefailure.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>

namespace azid::model {

namespace {

// The next step for the AADSTS codes people meet most; empty for any other.
QString codeHint(const AuthError &error)
{
    struct Hint
    {
        int code;
        const char *text;
    };
    static const Hint hints[] = {
        {50076, QT_TRANSLATE_NOOP(
                    "azid::model::ErrorText",
                    "The organisation requires multi-factor authentication: sign in with the system browser, "
                    "the embedded browser or a device code instead of a password.")},
        {50079,
         QT_TRANSLATE_NOOP("azid::model::ErrorText",
                           "The account must register for multi-factor authentication first: sign in with a "
                           "browser to do that.")},
        {50126,
         QT_TRANSLATE_NOOP("azid::model::ErrorText",
                           "The user name or password is wrong, or the account is federated (its password is "
                           "checked elsewhere): check them, or sign in with a browser.")},
        {50034,
         QT_TRANSLATE_NOOP("azid::model::ErrorText",
                           "The account does not exist in this tenant: check the user name and the tenant.")},
        {50020, QT_TRANSLATE_NOOP(
                    "azid::model::ErrorText",
                    "The account is not a member of this tenant: choose its own tenant, or ask for a guest "
                    "invitation.")},
        {65001, QT_TRANSLATE_NOOP(
                    "azid::model::ErrorText",
                    "Nobody has consented to this application yet: sign in with a browser to consent, or ask "
                    "an administrator to grant consent.")},
        {700016, QT_TRANSLATE_NOOP(
                     "azid::model::ErrorText",
                     "The application (client id) is not known in this tenant: check the client id, or use "
                     "the default.")},
        {90002, QT_TRANSLATE_NOOP(
                    "azid::model::ErrorText",
                    "The tenant does not exist: check the tenant id or domain (or use \"organizations\").")},
        {50173,
         QT_TRANSLATE_NOOP(
             "azid::model::ErrorText",
             "The sign-in session was revoked (password change, or an administrator): sign in again.")},
        {9002313, QT_TRANSLATE_NOOP("azid::model::ErrorText",
                                    "The saved sign-in is not valid any more: sign in again.")},
        {70008, QT_TRANSLATE_NOOP("azid::model::ErrorText", "The sign-in took too long: start again.")},
        {50011, QT_TRANSLATE_NOOP(
                    "azid::model::ErrorText",
                    "The redirect address is not registered for this application: use the default client "
                    "id, or register http://localhost for yours.")},
        {9001023, QT_TRANSLATE_NOOP(
                      "azid::model::ErrorText",
                      "The password method cannot sign in to \"common\" or \"consumers\": enter the tenant "
                      "id or domain.")},
        {7000218,
         QT_TRANSLATE_NOOP("azid::model::ErrorText",
                           "This application is confidential (it needs a secret): use a public client id.")},
    };
    for (const Hint &hint : hints) {
        if (error.hasCode(hint.code))
            return QCoreApplication::translate("azid::model::ErrorText", hint.text);
    }
    return {};
}

// The next step when no usable answer arrived; empty when the error's message says it all.
QString reasonHint(ErrorReason reason)
{
    switch (reason) {
    case ErrorReason::Tls:
        return QCoreApplication::translate("azid::model::ErrorText",
                                           "The authority's TLS certificate is not trusted: behind a "
                                           "TLS-inspecting proxy, add its CA certificates in Settings "
                                           "(extra CA bundle).");
    case ErrorReason::Transport:
    case ErrorReason::Proxy:
    case ErrorReason::Timeout:
        return QCoreApplication::translate(
            "azid::model::ErrorText",
            "Check the network connection and the proxy in Settings, then try again.");
    case ErrorReason::None:
    case ErrorReason::Protocol:
    case ErrorReason::Storage:       // the keychain module's messages say what to do
    case ErrorReason::Configuration: // so do configuration errors: they name the setting
        break;
    }
    return {};
}

} // namespace

QString nextStep(const AuthError &error)
{
    if (QString hint = codeHint(error); !hint.isEmpty())
        return hint;
    if (error.oauthError == QStringLiteral("interaction_required") ||
        error.kind == ErrorKind::AuthenticationRequired)
        return QCoreApplication::translate("azid::model::ErrorText", "Sign in again to continue.");
    if (error.oauthError == QStringLiteral("access_denied"))
        return QCoreApplication::translate(
            "azid::model::ErrorText", "The sign-in was cancelled or refused in the browser: start again.");
    if (QString hint = reasonHint(error.reason); !hint.isEmpty())
        return hint;
    if (error.httpStatus == 429 || error.httpStatus >= 500)
        return QCoreApplication::translate("azid::model::ErrorText",
                                           "The authority is busy or failing: wait a minute and try again.");
    return {};
}

QString errorDetails(const AuthError &error)
{
    QStringList lines;
    lines << QCoreApplication::translate("azid::model::ErrorText", "Error: %1")
                 .arg(AuthError::kindName(error.kind));
    lines << QCoreApplication::translate("azid::model::ErrorText", "Message: %1").arg(error.message);
    if (!error.oauthError.isEmpty())
        lines
            << QCoreApplication::translate("azid::model::ErrorText", "OAuth error: %1").arg(error.oauthError);
    if (!error.suberror.isEmpty())
        lines << QCoreApplication::translate("azid::model::ErrorText", "Suberror: %1").arg(error.suberror);
    if (const StorageFailure failure = storageFailure(error); failure != StorageFailure::None)
        lines << QCoreApplication::translate("azid::model::ErrorText", "Storage failure: %1")
                     .arg(storageFailureName(failure));
    if (!error.errorCodes.isEmpty()) {
        QStringList codes;
        for (int code : error.errorCodes)
            codes << QStringLiteral("AADSTS%1").arg(code);
        lines << QCoreApplication::translate("azid::model::ErrorText", "Codes: %1")
                     .arg(codes.join(QStringLiteral(", ")));
    }
    if (!error.correlationId.isEmpty())
        lines << QCoreApplication::translate("azid::model::ErrorText", "Correlation ID: %1")
                     .arg(error.correlationId);
    if (!error.traceId.isEmpty())
        lines << QCoreApplication::translate("azid::model::ErrorText", "Trace ID: %1").arg(error.traceId);
    if (error.httpStatus != 0)
        lines
            << QCoreApplication::translate("azid::model::ErrorText", "HTTP status: %1").arg(error.httpStatus);
    if (!error.scopes.isEmpty())
        lines << QCoreApplication::translate("azid::model::ErrorText", "Scopes: %1")
                     .arg(error.scopes.join(QLatin1Char(' ')));
    if (!error.claims.isEmpty())
        lines << QCoreApplication::translate("azid::model::ErrorText", "Claims challenge: %1")
                     .arg(error.claims);
    lines << QStringLiteral("Azid %1").arg(QStringLiteral(AZID_VERSION));
    return lines.join(QLatin1Char('\n'));
}

QString readableMessage(const QString &message)
{
    static const QRegularExpression codePrefix(QStringLiteral("\\bAADSTS\\d+:\\s*"));
    static const QRegularExpression repeatedPeriods(QStringLiteral("\\.(?:\\s*\\.)+"));
    static const QRegularExpression sentenceEnd(QStringLiteral("(?<=[.!?])\\s+"));
    QString text = message;
    text.remove(codePrefix);
    text.replace(repeatedPeriods, QStringLiteral("."));
    QStringList sentences;
    for (const QString &sentence : text.split(sentenceEnd, Qt::SkipEmptyParts)) {
        if (!sentences.contains(sentence.trimmed(), Qt::CaseInsensitive))
            sentences << sentence.trimmed();
    }
    return sentences.join(QLatin1Char(' '));
}

QString errorSummary(const AuthError &error)
{
    if (QString hint = codeHint(error); !hint.isEmpty())
        return hint;
    const QString message = readableMessage(error.message);
    const QString next = nextStep(error);
    if (next.isEmpty() || message.contains(next, Qt::CaseInsensitive))
        return message;
    return readableMessage(message + QLatin1Char(' ') + next);
}

ErrorAction suggestedAction(const AuthError &error, SignInMethod method)
{
    if (method != SignInMethod::UsernamePassword)
        return ErrorAction::TryAgain;
    // Multi-factor authentication required, or registration for it: a password alone never passes.
    static const int browserOnly[] = {50076, 50079, 50072, 50074, 50158};
    for (int code : browserOnly) {
        if (error.hasCode(code))
            return ErrorAction::SignInWithBrowser;
    }
    return error.oauthError == QStringLiteral("interaction_required") ? ErrorAction::SignInWithBrowser
                                                                      : ErrorAction::TryAgain;
}

} // namespace azid::model
