#include "oauth.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <openssl/rand.h>

#include <algorithm>
#include <cmath>

namespace azid::detail {

QByteArray base64UrlEncode(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> base64UrlDecode(const QByteArray &text)
{
    auto decoded = QByteArray::fromBase64Encoding(text, QByteArray::Base64UrlEncoding |
                                                            QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return decoded.decoded;
}

namespace {
std::optional<QJsonObject> decodeJwtPart(const QByteArray &jwt, int part)
{
    const QList<QByteArray> parts = jwt.split('.');
    if (parts.size() != 3)
        return std::nullopt;
    const auto json = base64UrlDecode(parts[part]);
    if (!json)
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(*json);
    if (!doc.isObject())
        return std::nullopt;
    return doc.object();
}

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), count) != 1)
        qFatal("The system's random number generator failed.");
    return bytes;
}

// Unbiased choice from an alphabet by rejection sampling.
QString randomFrom(QLatin1StringView alphabet, int length)
{
    QString out;
    out.reserve(length);
    const int n = static_cast<int>(alphabet.size());
    const int limit = 256 - (256 % n);
    while (out.size() < length) {
        for (char c : randomBytes(length * 2)) {
            const int v = static_cast<unsigned char>(c);
            if (v < limit && out.size() < length)
                out += QLatin1Char(alphabet[v % n]);
        }
    }
    return out;
}
} // namespace

std::optional<QJsonObject> decodeJwtPayload(const QByteArray &jwt)
{
    return decodeJwtPart(jwt, 1);
}
std::optional<QJsonObject> decodeJwtHeader(const QByteArray &jwt)
{
    return decodeJwtPart(jwt, 0);
}

QString pkceChallenge(const QByteArray &verifier)
{
    return QString::fromLatin1(
        base64UrlEncode(QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)));
}

Pkce generatePkce()
{
    Pkce pkce;
    pkce.verifier = Secret::fromString(randomFrom(
        QLatin1StringView("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"), 43));
    pkce.challenge = pkceChallenge(pkce.verifier.reveal());
    return pkce;
}

QString randomLetters(int length)
{
    return randomFrom(QLatin1StringView("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), length);
}

QString sha256Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

std::optional<ClientInfo> decodeClientInfo(const QByteArray &clientInfo)
{
    // Entra omits the padding; some servers keep it.
    QByteArray text = clientInfo;
    while (text.endsWith('='))
        text.chop(1);
    const auto json = base64UrlDecode(text);
    if (!json)
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(*json);
    if (!doc.isObject())
        return std::nullopt;
    ClientInfo info{doc.object().value(QStringLiteral("uid")).toString(),
                    doc.object().value(QStringLiteral("utid")).toString()};
    if (info.uid.isEmpty() || info.utid.isEmpty())
        return std::nullopt;
    return info;
}

QString decorateScopes(const QStringList &scopes)
{
    QStringList all = scopes;
    all.append(ReservedScopes);
    all.removeDuplicates();
    std::sort(all.begin(), all.end());
    return all.join(QLatin1Char(' '));
}

QString validateScopes(const QStringList &scopes)
{
    if (scopes.isEmpty())
        return QStringLiteral(
            "At least one scope is required, for example https://management.azure.com/.default.");
    for (const QString &scope : scopes) {
        if (scope.trimmed().isEmpty() || scope.contains(QLatin1Char(' ')))
            return QStringLiteral("\"%1\" is not a scope: scopes are single words without spaces.")
                .arg(scope);
        if (ReservedScopes.contains(scope, Qt::CaseInsensitive)) {
            return QStringLiteral("The scope \"%1\" is reserved and added automatically; request only the "
                                  "resource's scopes.")
                .arg(scope);
        }
    }
    return {};
}

QString mergeClaimsWithCapabilities(const QString &claims, const QStringList &capabilities)
{
    if (capabilities.isEmpty())
        return claims;
    QJsonObject root;
    if (!claims.trimmed().isEmpty()) {
        const QJsonDocument doc = QJsonDocument::fromJson(claims.toUtf8());
        if (doc.isObject())
            root = doc.object();
    }
    QJsonObject accessToken = root.value(QStringLiteral("access_token")).toObject();
    accessToken.insert(QStringLiteral("xms_cc"),
                       QJsonObject{{QStringLiteral("values"), QJsonArray::fromStringList(capabilities)}});
    root.insert(QStringLiteral("access_token"), accessToken);
    return QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Compact));
}

qint64 clampedInteger(double value, qint64 low, qint64 high)
{
    if (std::isnan(value) || value <= static_cast<double>(low))
        return low;
    if (value >= static_cast<double>(high))
        return high;
    return static_cast<qint64>(value);
}

qint64 clampEpoch(qint64 seconds)
{
    return std::clamp<qint64>(seconds, 0, limits::MaxEpochSeconds);
}

std::optional<qint64> jsonInteger(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::isnan(number))
            return std::nullopt;
        return clampedInteger(number, -limits::MaxJsonInteger, limits::MaxJsonInteger);
    }
    if (value.isString()) {
        bool ok = false;
        const qint64 n = value.toString().trimmed().toLongLong(&ok);
        if (ok)
            return std::clamp(n, -limits::MaxJsonInteger, limits::MaxJsonInteger);
    }
    return std::nullopt;
}

std::optional<qint64> jsonSeconds(const QJsonValue &value, qint64 max)
{
    const auto n = jsonInteger(value);
    if (!n)
        return std::nullopt;
    return std::clamp<qint64>(*n, 0, max);
}

AuthError errorFromResponse(const HttpResponse &response, const QString &context)
{
    AuthError error;
    error.kind = ErrorKind::ClientAuthentication;
    error.httpStatus = response.status;
    error.correlationId = response.clientRequestId;
    if (response.status == 0) {
        error.message = context + QStringLiteral(": ") + response.transportError;
        error.reason = response.transportReason;
        return error;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(response.body);
    const QJsonObject body = doc.object();
    if (!doc.isObject() || !body.contains(QStringLiteral("error"))) {
        error.message =
            QStringLiteral("%1: unexpected response from the authority (HTTP %2%3). Try again later; "
                           "if it persists, check the authority URL.")
                .arg(context)
                .arg(response.status)
                .arg(doc.isObject() ? QString() : QStringLiteral(", not JSON"));
        error.reason = ErrorReason::Protocol;
        return error;
    }
    error.oauthError = body.value(QStringLiteral("error")).toString();
    error.suberror = body.value(QStringLiteral("suberror")).toString();
    error.claims = body.value(QStringLiteral("claims")).toString();
    error.traceId = body.value(QStringLiteral("trace_id")).toString();
    const QString correlation = body.value(QStringLiteral("correlation_id")).toString();
    if (!correlation.isEmpty())
        error.correlationId = correlation;
    for (const QJsonValue &code : body.value(QStringLiteral("error_codes")).toArray())
        error.errorCodes.append(code.toInt());
    QString description = body.value(QStringLiteral("error_description")).toString();
    // Entra appends trace id, correlation id and timestamp lines; they are kept as fields instead.
    description =
        description.section(QStringLiteral("\r\n"), 0, 0).section(QLatin1Char('\n'), 0, 0).trimmed();
    if (error.errorCodes.isEmpty()) {
        static const QRegularExpression code(QStringLiteral("^AADSTS(\\d+)"));
        const auto match = code.match(description);
        if (match.hasMatch())
            error.errorCodes.append(match.captured(1).toInt());
    }
    error.message = context + QStringLiteral(": ") + (description.isEmpty() ? error.oauthError : description);
    qCInfo(lcCredentials).noquote() << context << "- authority answered" << response.status
                                    << error.oauthError << error.errorCodes << "correlation id"
                                    << error.correlationId;
    return error;
}

Result<TokenResponse> parseTokenResponse(const HttpResponse &response, const QString &context)
{
    if (!response.isSuccess())
        return errorFromResponse(response, context);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(response.body, &parseError);
    if (!doc.isObject()) {
        AuthError error = AuthError::authentication(
            QStringLiteral(
                "%1: the authority's answer is not valid JSON (%2). Try again; if it persists, the "
                "authority or a proxy in between is misbehaving.")
                .arg(context, parseError.errorString()));
        error.reason = ErrorReason::Protocol;
        error.httpStatus = response.status;
        error.correlationId = response.clientRequestId;
        return error;
    }
    const QJsonObject body = doc.object();
    TokenResponse t;
    const QString access = body.value(QStringLiteral("access_token")).toString();
    if (access.isEmpty()) {
        AuthError error = AuthError::authentication(
            QStringLiteral("%1: the authority's answer holds no access token.").arg(context));
        error.reason = ErrorReason::Protocol;
        error.correlationId = response.clientRequestId;
        return error;
    }
    t.accessToken = Secret::fromString(access);
    const QString type = body.value(QStringLiteral("token_type")).toString();
    if (!type.isEmpty())
        t.tokenType = type;
    t.expiresIn = jsonSeconds(body.value(QStringLiteral("expires_in")), limits::MaxTokenLifetime).value_or(0);
    t.extExpiresIn =
        jsonSeconds(body.value(QStringLiteral("ext_expires_in")), limits::MaxTokenLifetime).value_or(0);
    t.refreshIn = jsonSeconds(body.value(QStringLiteral("refresh_in")), limits::MaxTokenLifetime);
    if (const auto expiresOn = jsonInteger(body.value(QStringLiteral("expires_on"))))
        t.expiresOn = clampEpoch(*expiresOn);
    t.refreshToken = Secret::fromString(body.value(QStringLiteral("refresh_token")).toString());
    t.idToken = Secret::fromString(body.value(QStringLiteral("id_token")).toString());
    if (!t.idToken.isEmpty()) {
        const auto claims = decodeJwtPayload(t.idToken.reveal());
        if (!claims) {
            return AuthError::authentication(
                       QStringLiteral("%1: the identity token in the authority's answer cannot be decoded.")
                           .arg(context))
                .withReason(ErrorReason::Protocol);
        }
        t.idTokenClaims = *claims;
    }
    const QString clientInfo = body.value(QStringLiteral("client_info")).toString();
    if (!clientInfo.isEmpty())
        t.clientInfo = decodeClientInfo(clientInfo.toLatin1());
    t.scopes = body.value(QStringLiteral("scope")).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    t.foci = body.value(QStringLiteral("foci")).toString();
    return t;
}

Result<DeviceCodeResponse> parseDeviceCodeResponse(const HttpResponse &response, const QString &context)
{
    if (!response.isSuccess())
        return errorFromResponse(response, context);
    const QJsonObject body = QJsonDocument::fromJson(response.body).object();
    DeviceCodeResponse r;
    r.userCode = body.value(QStringLiteral("user_code")).toString();
    r.deviceCode = body.value(QStringLiteral("device_code")).toString();
    r.verificationUri = body.value(QStringLiteral("verification_uri")).toString();
    if (r.verificationUri.isEmpty())
        r.verificationUri = body.value(QStringLiteral("verification_url")).toString();
    if (r.userCode.isEmpty() || r.deviceCode.isEmpty() || r.verificationUri.isEmpty()) {
        AuthError error = AuthError::authentication(
            QStringLiteral("%1: the authority's answer lacks a user code, device code or verification URI.")
                .arg(context));
        error.reason = ErrorReason::Protocol;
        error.correlationId = response.clientRequestId;
        return error;
    }
    r.expiresIn = jsonSeconds(body.value(QStringLiteral("expires_in")), limits::MaxDeviceCodeLifetime)
                      .value_or(r.expiresIn);
    r.interval = std::clamp(jsonInteger(body.value(QStringLiteral("interval"))).value_or(r.interval),
                            limits::MinPollInterval, limits::MaxPollInterval);
    return r;
}

} // namespace azid::detail
