#include "azid/model/jwt.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <iterator>

namespace azid::model {

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

// What each well-known JWT claim (and header parameter) means, for the token inspector. Translated
// when asked for (claimExplanation()), not here.
struct ClaimText
{
    const char *claim;
    const char *explanation;
};

constexpr ClaimText ClaimTexts[] = {
    {"aud", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                              "Audience: the resource (API) the token is for. Other APIs refuse it.")},
    {"iss", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                              "Issuer: the authority and tenant that issued the token.")},
    {"tid",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Tenant ID: the directory the user signed in to.")},
    {"oid", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                              "Object ID: the user's (or app's) immutable ID in that tenant; use it for "
                              "authorization, not the name.")},
    {"sub",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Subject: the principal, unique per application.")},
    {"upn", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                              "User principal name (v1 tokens); may change, do not use it as a key.")},
    {"preferred_username",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                       "The user name to show (v2 tokens); may change, do not use it as a key.")},
    {"unique_name", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                                      "A human-readable user name (v1 tokens), for display.")},
    {"name", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "The user's display name.")},
    {"scp", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                              "Scopes: the delegated permissions the user granted to the client.")},
    {"roles", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                                "App roles assigned to the user or application in the resource.")},
    {"amr", QT_TRANSLATE_NOOP(
                "azid::model::ClaimExplanation",
                "Authentication methods used: pwd (password), mfa, rsa, wia (Windows), fed (federated)...")},
    {"acrs",
     QT_TRANSLATE_NOOP(
         "azid::model::ClaimExplanation",
         "Authentication context class references satisfied (c1, c2, ...): conditional access step-up.")},
    {"acr", QT_TRANSLATE_NOOP(
                "azid::model::ClaimExplanation",
                "Authentication context class: 0 means the user did not meet ISO/IEC 29115 requirements.")},
    {"xms_cc",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Client capabilities: cp1 means the client handles "
                                                        "claims challenges (continuous access evaluation).")},
    {"iat", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Issued at.")},
    {"nbf", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                              "Not before: the token is not valid before this time.")},
    {"exp",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Expires: the token is refused after this time.")},
    {"auth_time",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "When the user last entered credentials.")},
    {"appid", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                                "Application (client) ID that requested the token (v1).")},
    {"azp", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                              "Authorized party: the client ID that requested the token (v2).")},
    {"appidacr",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                       "How the client authenticated: 0 public client, 1 secret, 2 certificate (v1).")},
    {"azpacr",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                       "How the client authenticated: 0 public client, 1 secret, 2 certificate (v2).")},
    {"ver", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Token format version: 1.0 or 2.0.")},
    {"uti", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Token identifier, for Microsoft support.")},
    {"jti", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Token identifier.")},
    {"idp",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Identity provider that authenticated the user, when "
                                                        "it is not the issuer (guests, personal accounts).")},
    {"ipaddr", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "IP address the user authenticated from.")},
    {"wids",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Directory roles (template IDs) of the user.")},
    {"groups", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Object IDs of the user's groups.")},
    {"hasgroups", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                                    "The user has too many groups for the token; ask Microsoft Graph.")},
    {"nonce",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Replay protection value of the sign-in request.")},
    {"email", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "The user's e-mail address, if any.")},
    {"given_name", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "The user's first name.")},
    {"family_name", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "The user's last name.")},
    {"xms_tcdt", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "When the tenant was created.")},
    {"rh",
     QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Internal claim Entra uses to revalidate tokens.")},
    {"aio", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Internal claim Entra uses to reuse tokens.")},
    {"sid", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Session ID of the user's sign-in session.")},
    {"alg", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Signature algorithm.")},
    {"typ", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Token type.")},
    {"kid", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation",
                              "ID of the key that signed the token (in the issuer's JWKS).")},
    {"x5t", QT_TRANSLATE_NOOP("azid::model::ClaimExplanation", "Thumbprint of the signing certificate.")},
};

} // namespace

std::optional<qint64> timeClaimSeconds(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double seconds = value.toDouble();
    // NaN fails both comparisons; it cannot come from JSON, but the value may have been built in code.
    if (!(seconds > 0))
        return 0;
    if (seconds >= static_cast<double>(MaxClaimTime))
        return MaxClaimTime;
    return static_cast<qint64>(seconds);
}

std::optional<qint64> DecodedToken::timeClaim(const QString &name) const
{
    return timeClaimSeconds(claims.value(name));
}

DecodedToken decodeJwt(const QString &token)
{
    DecodedToken result;
    const QString text = stripBearer(token);
    if (text.isEmpty()) {
        result.error = QCoreApplication::translate("azid::model::Jwt",
                                                   "Paste an access token or ID token to decode it.");
        return result;
    }
    const QStringList parts = text.split(QLatin1Char('.'));
    if (parts.size() != 3) {
        const int count = static_cast<int>(parts.size());
        result.error =
            count == 5
                ? QCoreApplication::translate(
                      "azid::model::Jwt", "This is an encrypted token (JWE): only its audience can read it.")
                : QCoreApplication::translate("azid::model::Jwt",
                                              "This is not a JSON Web Token (it has %n part(s), not 3). "
                                              "Opaque tokens cannot be decoded.",
                                              nullptr, count);
        return result;
    }
    const auto header = base64Url(parts[0]);
    const auto payload = base64Url(parts[1]);
    const auto signature = base64Url(parts[2]);
    if (!header || !payload || !signature) {
        result.error = QCoreApplication::translate(
            "azid::model::Jwt", "The token is not valid base64url: was it cut off while copying?");
        return result;
    }
    const auto headerObject = jsonObject(*header);
    const auto claimsObject = jsonObject(*payload);
    if (!headerObject || !claimsObject) {
        result.error = QCoreApplication::translate("azid::model::Jwt",
                                                   "The token's header or claims are not JSON objects.");
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
    const auto found =
        std::find_if(std::begin(ClaimTexts), std::end(ClaimTexts),
                     [&name](const ClaimText &text) { return name == QLatin1String(text.claim); });
    return found == std::end(ClaimTexts)
               ? QString()
               : QCoreApplication::translate("azid::model::ClaimExplanation", found->explanation);
}

QString claimValueText(const QString &name, const QJsonValue &value)
{
    if (isTimeClaim(name) && value.isDouble()) {
        const qint64 seconds = *timeClaimSeconds(value);
        // The number as the token has it, even when the date shown is clamped.
        const QString raw = static_cast<double>(seconds) == value.toDouble()
                                ? QString::number(seconds)
                                : QString::number(value.toDouble(), 'g', 17);
        return QDateTime::fromSecsSinceEpoch(seconds).toLocalTime().toString(
                   QStringLiteral("yyyy-MM-dd HH:mm:ss t")) +
               QStringLiteral(" (%1)").arg(raw);
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
    // Beyond any claim time apart (MaxClaimTime either way): so that negating cannot overflow.
    seconds = std::clamp(seconds, -MaxClaimTime, MaxClaimTime);
    const qint64 magnitude = seconds < 0 ? -seconds : seconds;
    if (magnitude == 0)
        //: A point in time relative to now: it is now
        return QCoreApplication::translate("azid::model::Jwt", "now");
    QString text;
    if (magnitude >= 86400)
        //: A duration: days and hours
        text = QCoreApplication::translate("azid::model::Jwt", "%1 d %2 h")
                   .arg(magnitude / 86400)
                   .arg((magnitude % 86400) / 3600);
    else if (magnitude >= 3600)
        //: A duration: hours and minutes
        text = QCoreApplication::translate("azid::model::Jwt", "%1 h %2 min")
                   .arg(magnitude / 3600)
                   .arg((magnitude % 3600) / 60);
    else if (magnitude >= 60)
        //: A duration: minutes and seconds
        text = QCoreApplication::translate("azid::model::Jwt", "%1 min %2 s")
                   .arg(magnitude / 60)
                   .arg(magnitude % 60);
    else
        //: A duration: seconds
        text = QCoreApplication::translate("azid::model::Jwt", "%1 s").arg(magnitude);
    //: A point in time relative to now: %1 is a duration ("5 min"); also used as "expires in 5 min"
    //: and "valid in 5 min"
    if (seconds > 0)
        return QCoreApplication::translate("azid::model::Jwt", "in %1").arg(text);
    //: A point in time relative to now: %1 is a duration ("5 min"); also used as "expired 5 min ago"
    return QCoreApplication::translate("azid::model::Jwt", "%1 ago").arg(text);
}

ClaimsChallenge parseClaimsChallenge(const QString &text)
{
    ClaimsChallenge result;
    QString value = text.trimmed();
    if (value.isEmpty()) {
        result.problem = QCoreApplication::translate(
            "azid::model::Jwt", "Paste the WWW-Authenticate header of the resource's 401 answer.");
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
                result.problem = QCoreApplication::translate(
                    "azid::model::Jwt", "The header has no claims parameter: this 401 is not a claims "
                                        "challenge, a new token would not help.");
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
        result.problem = QCoreApplication::translate(
            "azid::model::Jwt",
            "The claims parameter is not base64-encoded JSON: copy the whole header again.");
        return result;
    }
    result.claims = QString::fromUtf8(document.toJson(QJsonDocument::Compact));
    return result;
}

} // namespace azid::model
