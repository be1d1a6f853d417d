#include "managedidentitysources.h"

#include "oauth.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace azid::detail {
namespace {

constexpr qint64 kLongLivedToken = 7200; // azure.identity/MSAL refresh half-way through longer tokens

// Service Fabric's error codes as MSAL maps them to OAuth errors.
QString serviceFabricOAuthError(const QString &code)
{
    if (code == QLatin1String("SecretHeaderNotFound"))
        return QStringLiteral("unauthorized_client");
    if (code == QLatin1String("ManagedIdentityNotFound"))
        return QStringLiteral("invalid_client");
    if (code == QLatin1String("ArgumentNullOrEmpty"))
        return QStringLiteral("invalid_scope");
    return QStringLiteral("invalid_request");
}

AuthError unavailable(const QString &message, const HttpResponse &response)
{
    return withHttpResponse(AuthError::unavailable(message), response);
}

std::optional<qint64> parseLegacyDate(const QString &value)
{
    // Azure ML (and App Service's 2017 API): "06/20/2019 02:57:58 +00:00" on Linux,
    // "6/20/2019 2:57:58 AM +00:00" on Windows.
    static const QRegularExpression pattern(QStringLiteral(
        R"(^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?: ([AaPp][Mm]))? ([+-])(\d{2}):?(\d{2})$)"));
    const QRegularExpressionMatch m = pattern.match(value);
    if (!m.hasMatch())
        return std::nullopt;
    int hour = m.captured(4).toInt();
    const QString meridiem = m.captured(7).toUpper();
    if (!meridiem.isEmpty()) {
        if (hour < 1 || hour > 12)
            return std::nullopt;
        hour = hour % 12 + (meridiem == QLatin1String("PM") ? 12 : 0);
    }
    const QDate date(m.captured(3).toInt(), m.captured(1).toInt(), m.captured(2).toInt());
    const QTime time(hour, m.captured(5).toInt(), m.captured(6).toInt());
    if (!date.isValid() || !time.isValid())
        return std::nullopt;
    const int offsetMinutes = m.captured(9).toInt() * 60 + m.captured(10).toInt();
    const int sign = m.captured(8) == QLatin1String("-") ? -1 : 1;
    return QDateTime(date, time, Qt::UTC).toSecsSinceEpoch() - sign * offsetMinutes * 60;
}

} // namespace

AuthError withHttpResponse(AuthError error, const HttpResponse &response)
{
    error.httpStatus = response.status;
    error.correlationId = response.clientRequestId;
    if (response.status == 0)
        error.reason = response.transportReason;
    return error;
}

ManagedIdentityErrorText describeManagedIdentityError(const QJsonObject &body, int status)
{
    const QJsonValue errorValue = body.value(QStringLiteral("error"));
    QString code;
    QString description;
    if (errorValue.isObject()) { // Service Fabric: {"error": {"code": ..., "message": ...}}
        const QJsonObject inner = errorValue.toObject();
        const QString sfCode = inner.value(QStringLiteral("code")).toString();
        code = serviceFabricOAuthError(sfCode);
        description = sfCode + QStringLiteral(": ") + inner.value(QStringLiteral("message")).toString();
    } else if (errorValue.isString()) { // OAuth style (IMDS, Arc, Cloud Shell)
        code = errorValue.toString();
        description = body.value(QStringLiteral("error_description")).toString();
    } else { // App Service / Azure ML: {"statusCode": 400, "message": ...}
        description = body.value(QStringLiteral("message")).toString();
        if (description.isEmpty())
            description = body.value(QStringLiteral("Message")).toString();
    }
    // Entra's descriptions carry trace and correlation ids on further lines.
    description = description.section(QLatin1Char('\n'), 0, 0).trimmed();
    if (description.isEmpty())
        description = QStringLiteral("no details");
    if (code.isEmpty())
        return {QStringLiteral("(HTTP %1) %2").arg(status).arg(description), code};
    return {QStringLiteral("(%1) %2").arg(code, description), code};
}

QString ManagedIdentityId::describe() const
{
    switch (kind) {
    case Kind::SystemAssigned:
        return QStringLiteral("the system-assigned identity");
    case Kind::ClientId:
        return QStringLiteral("the user-assigned identity with client_id %1").arg(value);
    case Kind::ObjectId:
        return QStringLiteral("the user-assigned identity with object_id %1").arg(value);
    case Kind::ResourceId:
        return QStringLiteral("the user-assigned identity with resource_id %1").arg(value);
    }
    return {};
}

Result<ManagedIdentityId> managedIdentityFromOptions(const QString &clientId,
                                                     const QMap<QString, QString> &identityConfig)
{
    QList<ManagedIdentityId> given;
    if (!clientId.isEmpty())
        given.append({ManagedIdentityId::Kind::ClientId, clientId});
    for (auto it = identityConfig.cbegin(); it != identityConfig.cend(); ++it) {
        const QString key = it.key().trimmed().toLower();
        ManagedIdentityId id;
        id.value = it.value().trimmed();
        if (key == QLatin1String("client_id")) {
            id.kind = ManagedIdentityId::Kind::ClientId;
        } else if (key == QLatin1String("object_id") || key == QLatin1String("principal_id")) {
            id.kind = ManagedIdentityId::Kind::ObjectId;
        } else if (key == QLatin1String("resource_id") || key == QLatin1String("mi_res_id") ||
                   key == QLatin1String("msi_res_id")) {
            id.kind = ManagedIdentityId::Kind::ResourceId;
        } else {
            return AuthError::authentication(
                QStringLiteral("identity_config has an unknown key \"%1\": name a user-assigned identity by "
                               "one of client_id, object_id or resource_id.")
                    .arg(it.key()));
        }
        if (id.value.isEmpty())
            continue; // as azure.identity: an empty value names nothing
        given.append(id);
    }
    if (given.size() > 1) {
        return AuthError::authentication(QStringLiteral(
            "Specify at most one of client_id and identity_config's client_id, object_id or resource_id: "
            "a managed identity is selected by exactly one id."));
    }
    return given.isEmpty() ? ManagedIdentityId{} : given.first();
}

Result<QString> resourceFromScopes(const QStringList &scopes)
{
    if (scopes.size() != 1) {
        return AuthError::authentication(
            QStringLiteral("This credential requires exactly one scope per token request (got %1), for "
                           "example https://management.azure.com/.default.")
                .arg(scopes.size()));
    }
    QString resource = scopes.first().trimmed();
    if (resource.endsWith(QLatin1String("/.default")))
        resource.chop(9);
    if (resource.isEmpty())
        return AuthError::authentication(QStringLiteral(
            "The scope names no resource: give one such as https://management.azure.com/.default."));
    return resource;
}

std::optional<qint64> parseExpiresOn(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::isnan(number))
            return std::nullopt;
        return clampedInteger(number, 0, limits::MaxEpochSeconds);
    }
    if (!value.isString())
        return std::nullopt;
    const QString s = value.toString().trimmed();
    if (s.isEmpty())
        return std::nullopt;
    bool ok = false;
    const qint64 integer = s.toLongLong(&ok);
    if (ok)
        return clampEpoch(integer);
    const double number = s.toDouble(&ok);
    if (ok && !std::isnan(number))
        return clampedInteger(number, 0, limits::MaxEpochSeconds);
    if (const auto legacy = parseLegacyDate(s))
        return clampEpoch(*legacy);
    QDateTime iso = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!iso.isValid())
        iso = QDateTime::fromString(s, Qt::ISODate);
    if (iso.isValid()) {
        static const QRegularExpression zone(QStringLiteral(R"((Z|[+-]\d{2}:?\d{2})$)"));
        if (!zone.match(s).hasMatch())
            iso.setTimeSpec(Qt::UTC);
        return clampEpoch(iso.toSecsSinceEpoch());
    }
    return std::nullopt;
}

std::optional<qint64> refreshOnFor(qint64 now, qint64 expiresOn, std::optional<qint64> refreshIn)
{
    if (refreshIn && *refreshIn > 0)
        return now + std::min(*refreshIn, limits::MaxTokenLifetime);
    const qint64 lifetime = expiresOn - now;
    if (lifetime >= kLongLivedToken)
        return now + lifetime / 2;
    return std::nullopt;
}

std::optional<AccessTokenInfo> tokenFromJson(const QJsonObject &body, qint64 now)
{
    const QString access = body.value(QStringLiteral("access_token")).toString();
    if (access.isEmpty())
        return std::nullopt;
    std::optional<qint64> expiresOn;
    const std::optional<qint64> expiresIn =
        jsonSeconds(body.value(QStringLiteral("expires_in")), limits::MaxTokenLifetime);
    if (expiresIn && *expiresIn > 0)
        expiresOn = now + *expiresIn;
    else
        expiresOn = parseExpiresOn(body.value(QStringLiteral("expires_on")));
    if (!expiresOn)
        return std::nullopt;
    AccessTokenInfo info;
    info.token = Secret::fromString(access);
    info.expiresOn = *expiresOn;
    const QString type = body.value(QStringLiteral("token_type")).toString();
    if (!type.isEmpty())
        info.tokenType = type;
    info.refreshOn = refreshOnFor(
        now, info.expiresOn, jsonSeconds(body.value(QStringLiteral("refresh_in")), limits::MaxTokenLifetime));
    return info;
}

bool isImdsRetryableStatus(int status)
{
    return status == 404 || status == 408 || status == 410 || status == 429 ||
           (status >= 500 && status <= 599);
}

std::chrono::milliseconds imdsRetryDelay(int retry, int status, std::chrono::milliseconds backoffFactor)
{
    if (retry <= 1)
        return std::chrono::milliseconds(0);
    const qint64 factor = status == 410 ? backoffFactor.count() * 25 / 8 : backoffFactor.count();
    const qint64 delay = factor * (qint64(1) << std::min(retry - 1, 20));
    return std::chrono::milliseconds(std::min<qint64>(delay, 120000));
}

Result<QString> arcRealmFromChallenge(const QByteArray &wwwAuthenticate)
{
    const QList<QByteArray> parts = wwwAuthenticate.split('=');
    if (parts.size() != 2 || parts[0].trimmed().toLower() != "basic realm" || parts[1].trimmed().isEmpty()) {
        return AuthError::authentication(QStringLiteral(
            "Unrecognizable WWW-Authenticate header: Azure Arc answered 401 without \"Basic realm=<key "
            "file>\". "
            "Check that the Azure Connected Machine agent (himds) is running and up to date."));
    }
    QString realm = QString::fromUtf8(parts[1].trimmed());
    if (realm.size() >= 2 && realm.startsWith(QLatin1Char('"')) && realm.endsWith(QLatin1Char('"')))
        realm = realm.mid(1, realm.size() - 2);
    return realm;
}

Result<QString> interpretArcChallenge(const HttpResponse &response)
{
    if (response.status == 0) {
        return unavailable(
            QStringLiteral("Azure Arc managed identity configuration not found in environment. "
                           "The endpoint did not answer: %1")
                .arg(response.transportError),
            response);
    }
    if (response.status != 401) {
        const QJsonDocument doc = QJsonDocument::fromJson(response.body);
        const QString detail = doc.isObject()
                                   ? describeManagedIdentityError(doc.object(), response.status).text
                                   : QStringLiteral("(HTTP %1) no details").arg(response.status);
        AuthError error =
            unavailable(QStringLiteral("Azure Arc managed identity configuration not found in environment. "
                                       "Token request error: (invalid_request) the agent answered %1 "
                                       "where it challenges for its key file with 401: %2")
                            .arg(response.status)
                            .arg(detail),
                        response);
        error.oauthError = QStringLiteral("invalid_request");
        return error;
    }
    auto realm = arcRealmFromChallenge(response.header("www-authenticate"));
    if (!realm.ok())
        return withHttpResponse(realm.error(), response);
    return realm;
}

QString platformArcKeyDirectory()
{
#if defined(Q_OS_LINUX)
    return QStringLiteral("/var/opt/azcmagent/tokens");
#elif defined(Q_OS_WIN)
    const QString programData = qEnvironmentVariable("PROGRAMDATA");
    if (programData.isEmpty())
        return {};
    return QDir::fromNativeSeparators(programData) + QStringLiteral("/AzureConnectedMachineAgent/Tokens");
#else
    return {};
#endif
}

Result<Secret> readArcKeyFile(const QString &realm, const QString &allowedDirectory)
{
    if (allowedDirectory.isEmpty()) {
        return AuthError::authentication(QStringLiteral(
            "Azure Arc managed identity is not supported on this platform: the Azure Connected Machine agent "
            "keeps its key files only on Linux and Windows."));
    }
    auto invalid = [&realm](const QString &why) {
        return AuthError::authentication(
            QStringLiteral("The key file path is invalid: %1 (%2).").arg(why, realm));
    };
    const QString path = QDir::fromNativeSeparators(realm);
    const QFileInfo info(path);
    if (!info.isAbsolute())
        return invalid(QStringLiteral("Azure Arc named a relative path"));
    if (!path.endsWith(QLatin1String(".key")))
        return invalid(QStringLiteral("the file must have the extension .key"));
    const QString directory = QDir(allowedDirectory).canonicalPath();
    if (directory.isEmpty())
        return invalid(QStringLiteral("the agent's key directory %1 does not exist").arg(allowedDirectory));
    if (QDir(info.absolutePath()).canonicalPath() != directory)
        return invalid(
            QStringLiteral("the file must be in %1, where the agent keeps its keys").arg(directory));
    if (!info.exists() || !info.isFile())
        return invalid(QStringLiteral("there is no such file"));
    if (QFileInfo(info.canonicalFilePath()).absolutePath() != directory)
        return invalid(QStringLiteral("the file links out of %1").arg(directory));
    if (info.size() > ArcKeyFileMaxBytes) {
        return AuthError::authentication(
            QStringLiteral("Local key file shall not be larger than 4KB: %1 has %2 bytes.")
                .arg(realm)
                .arg(info.size()));
    }
    QFile file(info.canonicalFilePath());
    if (!file.open(QIODevice::ReadOnly)) {
        return AuthError::authentication(
            QStringLiteral(
                "Could not read the Azure Arc key file %1: %2. The process needs read access to the "
                "agent's key directory (on Linux, membership of the himds group).")
                .arg(realm, file.errorString()));
    }
    QByteArray contents = file.read(ArcKeyFileMaxBytes + 1);
    if (contents.size() > ArcKeyFileMaxBytes) {
        scrub(contents);
        return AuthError::authentication(
            QStringLiteral("Local key file shall not be larger than 4KB: %1 grew while it was read.")
                .arg(realm));
    }
    Secret key(contents);
    scrub(contents);
    return key;
}

bool arcConfirmsIdentity(const QJsonObject &body, const ManagedIdentityId &identity)
{
    using Kind = ManagedIdentityId::Kind;
    if (!identity.isUserAssigned())
        return true;
    QStringList names;
    if (identity.kind == Kind::ClientId)
        names = {QStringLiteral("client_id")};
    else if (identity.kind == Kind::ObjectId)
        names = {QStringLiteral("object_id")};
    else
        names = {QStringLiteral("msi_res_id"), QStringLiteral("mi_res_id")};
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (names.contains(it.key(), Qt::CaseInsensitive) &&
            it.value().toString().compare(identity.value, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

std::optional<QByteArray> normalizeThumbprint(const QString &thumbprint)
{
    QByteArray hex;
    for (QChar c : thumbprint) {
        if (c.isSpace() || c == QLatin1Char(':'))
            continue;
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('f')) ||
              (c >= QLatin1Char('A') && c <= QLatin1Char('F'))))
            return std::nullopt;
        hex += c.toLower().toLatin1();
    }
    if (hex.size() != 40)
        return std::nullopt;
    return hex;
}

} // namespace azid::detail
