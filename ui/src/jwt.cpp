#include "azid/ui/jwt.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace azid::ui {

namespace {

QString stripBearer(QString text)
{
    text = text.trimmed();
    if (text.startsWith(QStringLiteral("Authorization:"), Qt::CaseInsensitive))
        text = text.mid(14).trimmed();
    if (text.startsWith(QStringLiteral("Bearer "), Qt::CaseInsensitive))
        text = text.mid(7).trimmed();
    text.remove(QRegularExpression(QStringLiteral("\\s")));
    return text;
}

std::optional<QByteArray> base64Url(const QString &part)
{
    const QByteArray bytes = part.toLatin1();
    const auto decoded = QByteArray::fromBase64Encoding(bytes, QByteArray::Base64UrlEncoding |
                                                                   QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return decoded.decoded;
}

std::optional<QJsonObject> jsonObject(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

} // namespace

std::optional<qint64> DecodedToken::timeClaim(const QString &name) const
{
    const QJsonValue value = claims.value(name);
    if (!value.isDouble())
        return std::nullopt;
    return static_cast<qint64>(value.toDouble());
}

DecodedToken decodeJwt(const QString &token)
{
    DecodedToken result;
    const QString text = stripBearer(token);
    if (text.isEmpty()) {
        result.error = QStringLiteral("Paste an access token or ID token to decode it.");
        return result;
    }
    const QStringList parts = text.split(QLatin1Char('.'));
    if (parts.size() != 3) {
        result.error = parts.size() == 5 ? QStringLiteral("This is an encrypted token (JWE): only its "
                                                          "audience can read it.")
                                         : QStringLiteral("This is not a JSON Web Token (it has %1 part%2, "
                                                          "not 3). Opaque tokens cannot be decoded.")
                                               .arg(parts.size())
                                               .arg(parts.size() == 1 ? QString() : QStringLiteral("s"));
        return result;
    }
    const auto header = base64Url(parts[0]);
    const auto payload = base64Url(parts[1]);
    const auto signature = base64Url(parts[2]);
    if (!header || !payload || !signature) {
        result.error = QStringLiteral("The token is not valid base64url: was it cut off while copying?");
        return result;
    }
    const auto headerObject = jsonObject(*header);
    const auto claimsObject = jsonObject(*payload);
    if (!headerObject || !claimsObject) {
        result.error = QStringLiteral("The token's header or claims are not JSON objects.");
        return result;
    }
    result.isJwt = true;
    result.header = *headerObject;
    result.claims = *claimsObject;
    result.signatureBytes = signature->size();
    return result;
}

bool isTimeClaim(const QString &name)
{
    return name == QStringLiteral("iat") || name == QStringLiteral("nbf") || name == QStringLiteral("exp") ||
           name == QStringLiteral("auth_time") || name == QStringLiteral("xms_tcdt") ||
           name == QStringLiteral("pwd_exp");
}

QString claimExplanation(const QString &name)
{
    static const QHash<QString, QString> explanations{
        {QStringLiteral("aud"), QStringLiteral("Audience: the resource (API) the token is for. Other APIs "
                                               "refuse it.")},
        {QStringLiteral("iss"), QStringLiteral("Issuer: the authority and tenant that issued the token.")},
        {QStringLiteral("tid"), QStringLiteral("Tenant ID: the directory the user signed in to.")},
        {QStringLiteral("oid"), QStringLiteral("Object ID: the user's (or app's) immutable ID in that "
                                               "tenant; use it for authorization, not the name.")},
        {QStringLiteral("sub"), QStringLiteral("Subject: the principal, unique per application.")},
        {QStringLiteral("upn"), QStringLiteral("User principal name (v1 tokens); may change, do not use it "
                                               "as a key.")},
        {QStringLiteral("preferred_username"),
         QStringLiteral("The user name to show (v2 tokens); may change, do not use it as a key.")},
        {QStringLiteral("unique_name"),
         QStringLiteral("A human-readable user name (v1 tokens), for display.")},
        {QStringLiteral("name"), QStringLiteral("The user's display name.")},
        {QStringLiteral("scp"),
         QStringLiteral("Scopes: the delegated permissions the user granted to the client.")},
        {QStringLiteral("roles"),
         QStringLiteral("App roles assigned to the user or application in the resource.")},
        {QStringLiteral("amr"), QStringLiteral("Authentication methods used: pwd (password), mfa, rsa, "
                                               "wia (Windows), fed (federated)...")},
        {QStringLiteral("acrs"), QStringLiteral("Authentication context class references satisfied (c1, "
                                                "c2, ...): conditional access step-up.")},
        {QStringLiteral("acr"), QStringLiteral("Authentication context class: 0 means the user did not "
                                               "meet ISO/IEC 29115 requirements.")},
        {QStringLiteral("xms_cc"), QStringLiteral("Client capabilities: cp1 means the client handles "
                                                  "claims challenges (continuous access evaluation).")},
        {QStringLiteral("iat"), QStringLiteral("Issued at.")},
        {QStringLiteral("nbf"), QStringLiteral("Not before: the token is not valid before this time.")},
        {QStringLiteral("exp"), QStringLiteral("Expires: the token is refused after this time.")},
        {QStringLiteral("auth_time"), QStringLiteral("When the user last entered credentials.")},
        {QStringLiteral("appid"), QStringLiteral("Application (client) ID that requested the token (v1).")},
        {QStringLiteral("azp"), QStringLiteral("Authorized party: the client ID that requested the token "
                                               "(v2).")},
        {QStringLiteral("appidacr"), QStringLiteral("How the client authenticated: 0 public client, 1 "
                                                    "secret, 2 certificate (v1).")},
        {QStringLiteral("azpacr"), QStringLiteral("How the client authenticated: 0 public client, 1 secret, "
                                                  "2 certificate (v2).")},
        {QStringLiteral("ver"), QStringLiteral("Token format version: 1.0 or 2.0.")},
        {QStringLiteral("uti"), QStringLiteral("Token identifier, for Microsoft support.")},
        {QStringLiteral("jti"), QStringLiteral("Token identifier.")},
        {QStringLiteral("idp"), QStringLiteral("Identity provider that authenticated the user, when it is "
                                               "not the issuer (guests, personal accounts).")},
        {QStringLiteral("ipaddr"), QStringLiteral("IP address the user authenticated from.")},
        {QStringLiteral("wids"), QStringLiteral("Directory roles (template IDs) of the user.")},
        {QStringLiteral("groups"), QStringLiteral("Object IDs of the user's groups.")},
        {QStringLiteral("hasgroups"),
         QStringLiteral("The user has too many groups for the token; ask Microsoft Graph.")},
        {QStringLiteral("nonce"), QStringLiteral("Replay protection value of the sign-in request.")},
        {QStringLiteral("email"), QStringLiteral("The user's e-mail address, if any.")},
        {QStringLiteral("given_name"), QStringLiteral("The user's first name.")},
        {QStringLiteral("family_name"), QStringLiteral("The user's last name.")},
        {QStringLiteral("xms_tcdt"), QStringLiteral("When the tenant was created.")},
        {QStringLiteral("rh"), QStringLiteral("Internal claim Entra uses to revalidate tokens.")},
        {QStringLiteral("aio"), QStringLiteral("Internal claim Entra uses to reuse tokens.")},
        {QStringLiteral("sid"), QStringLiteral("Session ID of the user's sign-in session.")},
        {QStringLiteral("alg"), QStringLiteral("Signature algorithm.")},
        {QStringLiteral("typ"), QStringLiteral("Token type.")},
        {QStringLiteral("kid"), QStringLiteral("ID of the key that signed the token (in the issuer's "
                                               "JWKS).")},
        {QStringLiteral("x5t"), QStringLiteral("Thumbprint of the signing certificate.")},
    };
    return explanations.value(name);
}

QString claimValueText(const QString &name, const QJsonValue &value)
{
    if (isTimeClaim(name) && value.isDouble()) {
        const qint64 seconds = static_cast<qint64>(value.toDouble());
        return QDateTime::fromSecsSinceEpoch(seconds).toLocalTime().toString(
                   QStringLiteral("yyyy-MM-dd HH:mm:ss t")) +
               QStringLiteral(" (%1)").arg(seconds);
    }
    if (value.isString())
        return value.toString();
    if (value.isArray()) {
        QStringList items;
        for (const QJsonValue &item : value.toArray())
            items << (item.isString()
                          ? item.toString()
                          : QString::fromUtf8(QJsonDocument(QJsonArray{item}).toJson(QJsonDocument::Compact))
                                .mid(1)
                                .chopped(1));
        return items.join(QStringLiteral(", "));
    }
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 17);
    return QStringLiteral("null");
}

QString relativeTime(qint64 seconds)
{
    const qint64 magnitude = seconds < 0 ? -seconds : seconds;
    if (magnitude == 0)
        return QStringLiteral("now");
    QString text;
    if (magnitude >= 86400)
        text = QStringLiteral("%1 d %2 h").arg(magnitude / 86400).arg((magnitude % 86400) / 3600);
    else if (magnitude >= 3600)
        text = QStringLiteral("%1 h %2 min").arg(magnitude / 3600).arg((magnitude % 3600) / 60);
    else if (magnitude >= 60)
        text = QStringLiteral("%1 min %2 s").arg(magnitude / 60).arg(magnitude % 60);
    else
        text = QStringLiteral("%1 s").arg(magnitude);
    return seconds > 0 ? QStringLiteral("in ") + text : text + QStringLiteral(" ago");
}

ClaimsChallenge parseClaimsChallenge(const QString &text)
{
    ClaimsChallenge result;
    QString value = text.trimmed();
    if (value.isEmpty()) {
        result.problem = QStringLiteral("Paste the WWW-Authenticate header of the resource's 401 answer.");
        return result;
    }
    if (value.startsWith(QStringLiteral("WWW-Authenticate:"), Qt::CaseInsensitive))
        value = value.mid(17).trimmed();
    if (value.startsWith(QLatin1Char('{'))) {
        result.claims = value;
    } else if (value.contains(QLatin1Char('='))) {
        // auth-param list: name="value" or name=token, separated by commas.
        static const QRegularExpression param(
            QStringLiteral("([A-Za-z_][A-Za-z0-9_-]*)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,]+))"));
        QString encoded;
        for (auto match = param.globalMatch(value); match.hasNext();) {
            const QRegularExpressionMatch m = match.next();
            const QString name = m.captured(1).toLower();
            QString v = m.captured(2).isNull() ? m.captured(3) : m.captured(2);
            v.replace(QStringLiteral("\\\""), QStringLiteral("\""));
            if (name == QStringLiteral("claims"))
                encoded = v;
            else if (name == QStringLiteral("error"))
                result.error = v;
        }
        if (encoded.isEmpty()) {
            // A bare base64 value ends in '=' padding and has no parameters.
            if (!value.contains(QLatin1Char(' ')) && !value.contains(QLatin1Char(',')))
                encoded = value;
            else {
                result.problem = QStringLiteral("The header has no claims parameter: this 401 is not a "
                                                "claims challenge, a new token would not help.");
                return result;
            }
        }
        value = encoded;
    }
    if (result.claims.isEmpty()) {
        if (value.startsWith(QLatin1Char('{'))) {
            result.claims = value;
        } else {
            const auto decoded =
                QByteArray::fromBase64Encoding(value.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            const auto decodedUrl = QByteArray::fromBase64Encoding(
                value.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
            if (decoded)
                result.claims = QString::fromUtf8(decoded.decoded);
            else if (decodedUrl)
                result.claims = QString::fromUtf8(decodedUrl.decoded);
        }
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(result.claims.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        result.claims.clear();
        result.problem = QStringLiteral("The claims parameter is not base64-encoded JSON: copy the whole "
                                        "header again.");
        return result;
    }
    result.claims = QString::fromUtf8(document.toJson(QJsonDocument::Compact));
    return result;
}

} // namespace azid::ui
