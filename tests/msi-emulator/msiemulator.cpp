#include "msiemulator.h"

#include "encoding.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace azid::msiemulator {

namespace {

constexpr qsizetype maxLogEntries = 10'000;

const Identity systemIdentity{u"0a1b2c3d-0000-4000-8000-000000000001"_s,
                              u"0a1b2c3d-0000-4000-8000-0000000000a1"_s,
                              u"/subscriptions/00000000-0000-4000-8000-000000000000/resourcegroups/azid-test/"
                              u"providers/Microsoft.Compute/virtualMachines/azid-vm"_s};
const Identity defaultUserIdentity{
    u"0a1b2c3d-0000-4000-8000-000000000002"_s, u"0a1b2c3d-0000-4000-8000-0000000000a2"_s,
    u"/subscriptions/00000000-0000-4000-8000-000000000000/resourcegroups/azid-test/providers/"
    u"Microsoft.ManagedIdentity/userAssignedIdentities/azid-uami"_s};
const QString tenantId = u"72f988bf-86f1-41af-91ab-2d7cd011db47"_s;
const QStringList sourceNames{u"imds"_s,          u"appservice"_s, u"arc"_s,       u"cloudshell"_s,
                              u"servicefabric"_s, u"azureml"_s,    u"pipelines"_s, u"any"_s};

HttpResponse oauthError(int status, const QString &error, const QString &description)
{
    return HttpResponse::json(status,
                              QJsonObject{{u"error"_s, error}, {u"error_description"_s, description}});
}

// App Service and Azure ML answer errors as {"statusCode": N, "message": "..."}.
HttpResponse statusError(int status, const QString &message)
{
    return HttpResponse::json(status, QJsonObject{{u"statusCode"_s, status},
                                                  {u"message"_s, message},
                                                  {u"correlationId"_s, sandbox::encoding::newGuid()}});
}

HttpResponse fabricError(int status, const QString &code, const QString &message)
{
    return HttpResponse::json(
        status, QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}});
}

HttpResponse methodNotAllowed(const QByteArray &allowed)
{
    HttpResponse response = HttpResponse::json(
        405, QJsonObject{{u"error"_s, u"method_not_allowed"_s},
                         {u"error_description"_s, u"Use %1."_s.arg(QString::fromLatin1(allowed))}});
    response.setHeader("Allow", allowed);
    return response;
}

QString secretState(const QByteArray &sent, const QByteArray &expected)
{
    if (sent.isEmpty())
        return u"missing"_s;
    return sent == expected ? u"valid"_s : u"invalid"_s;
}

bool sameId(const QString &a, const QString &b)
{
    return !a.isEmpty() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// App Service and Azure ML both take a secret in a header and one api-version, answer errors as
// {"statusCode", "message"} and tokens in the same shape. How they differ:
struct SecretHeaderSource
{
    QByteArray header;            // the request header that carries the secret
    QString headerInMessages;     // how their error messages name it
    QByteArray Settings::*secret; // the setting the header must match
    QString apiVersion;
    QStringList clientIdNames;
    QStringList objectIdNames;
    QStringList resourceIdNames;
    QString (*identityNotFound)(const QString &why);
};

const SecretHeaderSource appServiceSource{
    "x-identity-header",
    u"X-IDENTITY-HEADER"_s,
    &Settings::identityHeader,
    u"2019-08-01"_s,
    {u"client_id"_s},
    {u"object_id"_s, u"principal_id"_s},
    {u"mi_res_id"_s},
    [](const QString &) {
        return u"No managed identity found for specified ClientId/ResourceId/PrincipalId."_s;
    }};

const SecretHeaderSource azureMlSource{
    "secret",
    u"secret"_s,
    &Settings::msiSecret,
    u"2017-09-01"_s,
    {u"clientid"_s},
    {u"object_id"_s},
    {u"msi_res_id"_s},
    [](const QString &why) { return u"No managed identity found: %1."_s.arg(why); }};

} // namespace

Settings Settings::defaults()
{
    Settings settings;
    settings.userAssigned = {defaultUserIdentity};
    return settings;
}

QJsonObject RequestRecord::toJson() const
{
    return QJsonObject{{u"method"_s, method},
                       {u"path"_s, path},
                       {u"source"_s, source},
                       {u"api_version"_s, apiVersion},
                       {u"resource"_s, resource},
                       {u"identity"_s, identity},
                       {u"metadata"_s, metadata},
                       {u"secret"_s, secret},
                       {u"authorization"_s, authorization},
                       {u"fed_auth_redirect_suppressed"_s, fedAuthRedirectSuppressed},
                       {u"service_connection_id"_s, serviceConnectionId},
                       {u"token_sha256_to_refresh"_s, tokenSha256ToRefresh},
                       {u"content_type"_s, contentType},
                       {u"status"_s, status},
                       {u"fault"_s, fault},
                       {u"time_ms"_s, timeMs}};
}

MsiEmulator::MsiEmulator(QString arcKeyDirectory, bool quiet)
    : m_arcKeyDirectory(std::move(arcKeyDirectory)), m_quiet(quiet), m_settings(Settings::defaults())
{}

HttpResponse MsiEmulator::handle(const HttpRequest &request, bool tls)
{
    HttpResponse response;
    if (!request.pathSegments.isEmpty() && request.pathSegments.first() == u"_emulator") {
        response = control(request);
    } else {
        RequestRecord record;
        record.method = QString::fromLatin1(request.method);
        record.path = QString::fromUtf8(request.rawPath);
        record.timeMs = sandbox::encoding::nowMs();
        response = route(request, tls, record);
        record.status = response.status;
        m_log.append(record);
        if (m_log.size() > maxLogEntries)
            m_log.removeFirst();
    }
    if (!m_quiet) {
        // Method, path and status only: queries and headers carry secrets and resource names.
        std::fprintf(stderr, "azid-msi-emulator: %s %s %d\n", request.method.constData(),
                     request.rawPath.constData(), response.status);
        std::fflush(stderr);
    }
    return response;
}

void MsiEmulator::logProtocolError(int status, const QByteArray &reason) const
{
    if (m_quiet)
        return;
    std::fprintf(stderr, "azid-msi-emulator: rejected malformed request: %d %s\n", status,
                 reason.constData());
    std::fflush(stderr);
}

HttpResponse MsiEmulator::route(const HttpRequest &request, bool tls, RequestRecord &record)
{
    const QString path = QString::fromUtf8(request.rawPath).toLower();
    QString source;
    if (path == u"/metadata/identity/oauth2/token")
        source = tls ? u"servicefabric"_s : u"imds"_s;
    else if (path == u"/msi/token")
        source = u"appservice"_s;
    else if (path == u"/arc/metadata/identity/oauth2/token")
        source = u"arc"_s;
    else if (path == u"/cloudshell/token")
        source = u"cloudshell"_s;
    else if (path == u"/azureml/token")
        source = u"azureml"_s;
    else if (path == u"/pipelines/oidctoken")
        source = u"pipelines"_s;
    record.source = source;
    if (source.isEmpty()) {
        return oauthError(404, u"not_found"_s, u"azid-msi-emulator has no endpoint %1."_s.arg(record.path));
    }

    const QMap<QString, QString> parameters =
        source == u"cloudshell" ? request.formParameters() : request.queryParameters();
    record.apiVersion = parameters.value(u"api-version"_s);
    record.resource = parameters.value(u"resource"_s);
    record.metadata = request.header("metadata").toLower() == "true";
    record.contentType = QString::fromLatin1(request.header("content-type"));
    const QByteArray authorization = request.header("authorization");
    record.authorization = QString::fromLatin1(authorization.left(authorization.indexOf(' ')).toLower());
    record.tokenSha256ToRefresh = parameters.value(u"token_sha256_to_refresh"_s);

    std::optional<Fault> fault;
    for (qsizetype i = 0; i < m_faults.size(); ++i) {
        if (m_faults[i].source == source || m_faults[i].source == u"any") {
            fault = m_faults[i];
            if (--m_faults[i].remaining <= 0)
                m_faults.removeAt(i);
            break;
        }
    }
    HttpResponse response;
    if (fault && (fault->status > 0 || fault->malformed)) {
        record.fault = true;
        response = faultResponse(*fault);
    } else if (source == u"imds" || source == u"arc") {
        response = imdsProtocolToken(request, record);
    } else if (source == u"appservice" || source == u"azureml") {
        response = secretHeaderSourceToken(request, record);
    } else if (source == u"cloudshell") {
        response = cloudShell(request, record);
    } else if (source == u"servicefabric") {
        response = serviceFabric(request, record);
    } else {
        response = pipelines(request, record);
    }
    if (fault) {
        response.delayMs = fault->delayMs;
        if (fault->retryAfter >= 0)
            response.setHeader("Retry-After", QByteArray::number(fault->retryAfter));
    }
    return response;
}

HttpResponse MsiEmulator::faultResponse(const Fault &fault) const
{
    HttpResponse response;
    if (fault.malformed) {
        response.status = fault.status >= 200 ? fault.status : 200;
        response.setHeader("Content-Type", "application/json; charset=utf-8");
        response.body = R"({"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOi)";
    } else {
        response.status = fault.status;
        if (fault.body.isNull()) {
            response = oauthError(fault.status, u"injected_fault"_s,
                                  u"Fault injected by azid-msi-emulator: HTTP %1."_s.arg(fault.status));
        } else {
            response.body = fault.body;
            response.setHeader("Content-Type", fault.contentType.isEmpty()
                                                   ? QByteArray("text/plain; charset=utf-8")
                                                   : fault.contentType);
        }
    }
    if (!fault.contentType.isEmpty())
        response.setHeader("Content-Type", fault.contentType);
    for (const auto &[name, value] : fault.headers)
        response.setHeader(name, value);
    return response;
}

std::optional<Identity> MsiEmulator::findIdentity(const QMap<QString, QString> &parameters,
                                                  const QStringList &clientIdNames,
                                                  const QStringList &objectIdNames,
                                                  const QStringList &resourceIdNames, RequestRecord &record,
                                                  QString *error) const
{
    enum class Kind { Client, Object, Resource };
    QList<QPair<Kind, QString>> given;
    auto collect = [&](const QStringList &names, Kind kind) {
        for (const QString &name : names) {
            const QString value = parameters.value(name);
            if (value.isEmpty())
                continue;
            record.identity.insert(name, value);
            given.append({kind, value});
        }
    };
    collect(clientIdNames, Kind::Client);
    collect(objectIdNames, Kind::Object);
    collect(resourceIdNames, Kind::Resource);
    if (given.size() > 1) {
        *error = u"Multiple identities were requested; name one."_s;
        return std::nullopt;
    }
    if (given.isEmpty()) {
        if (!m_settings.systemAssigned) {
            *error = u"Identity not found"_s;
            return std::nullopt;
        }
        return systemIdentity;
    }
    QList<Identity> known = m_settings.userAssigned;
    if (m_settings.systemAssigned)
        known.prepend(systemIdentity);
    const auto &[kind, value] = given.first();
    for (const Identity &identity : known) {
        const QString &candidate = kind == Kind::Client   ? identity.clientId
                                   : kind == Kind::Object ? identity.objectId
                                                          : identity.resourceId;
        if (sameId(candidate, value))
            return identity;
    }
    *error = u"Identity not found"_s;
    return std::nullopt;
}

QString MsiEmulator::mintToken(const QString &source, const QString &resource, const Identity &identity,
                               qint64 expiresOn)
{
    const qint64 now = sandbox::encoding::nowSecs();
    const QJsonObject header{
        {u"typ"_s, u"JWT"_s}, {u"alg"_s, u"RS256"_s}, {u"kid"_s, u"azid-msi-emulator"_s}};
    const QJsonObject payload{{u"aud"_s, resource},
                              {u"iss"_s, u"https://sts.windows.net/%1/"_s.arg(tenantId)},
                              {u"iat"_s, now},
                              {u"nbf"_s, now},
                              {u"exp"_s, expiresOn},
                              {u"appid"_s, identity.clientId},
                              {u"oid"_s, identity.objectId},
                              {u"sub"_s, identity.objectId},
                              {u"tid"_s, tenantId},
                              {u"idtyp"_s, u"app"_s},
                              {u"xms_mirid"_s, identity.resourceId},
                              {u"uti"_s, sandbox::encoding::randomToken(16)},
                              {u"azid_msi_source"_s, source}};
    // Not signed: managed identity clients never verify their tokens, the resources do.
    return QString::fromLatin1(
        sandbox::encoding::base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
        sandbox::encoding::base64Url(QJsonDocument(payload).toJson(QJsonDocument::Compact)) + '.' +
        sandbox::encoding::base64Url(sandbox::encoding::randomBytes(32)));
}

QJsonValue MsiEmulator::formatExpiresOn(qint64 expiresOn) const
{
    const QDateTime utc = QDateTime::fromSecsSinceEpoch(expiresOn, Qt::UTC);
    if (m_settings.expiresOnFormat == u"number")
        return expiresOn;
    if (m_settings.expiresOnFormat == u"date") // Azure ML on Linux
        return QLocale::c().toString(utc, u"MM/dd/yyyy HH:mm:ss"_s) + u" +00:00"_s;
    if (m_settings.expiresOnFormat == u"date12h") // Azure ML on Windows
        return QLocale::c().toString(utc, u"M/d/yyyy h:mm:ss AP"_s) + u" +00:00"_s;
    return QString::number(expiresOn);
}

QJsonObject MsiEmulator::tokenAnswer(const RequestRecord &record, const Identity &identity, bool withLifetime)
{
    const qint64 now = sandbox::encoding::nowSecs();
    const qint64 expiresOn = now + m_settings.expiresIn;
    QJsonObject answer{{u"access_token"_s, mintToken(record.source, record.resource, identity, expiresOn)},
                       {u"expires_on"_s, formatExpiresOn(expiresOn)},
                       {u"resource"_s, record.resource},
                       {u"token_type"_s, u"Bearer"_s}};
    if (withLifetime) {
        answer.insert(u"expires_in"_s, QString::number(m_settings.expiresIn));
        answer.insert(u"not_before"_s, QString::number(now));
    }
    return answer;
}

HttpResponse MsiEmulator::imdsProtocolToken(const HttpRequest &request, RequestRecord &record)
{
    const bool arc = record.source == u"arc";
    const QStringList apiVersions =
        arc ? QStringList{u"2020-06-01"_s, u"2019-11-01"_s} : QStringList{u"2018-02-01"_s, u"2019-08-01"_s};
    if (request.method != "GET")
        return methodNotAllowed("GET");
    if (!record.metadata)
        return oauthError(400, u"invalid_request"_s, u"Required metadata header not specified"_s);
    if (!apiVersions.contains(record.apiVersion))
        return oauthError(400, u"invalid_request"_s, u"Missing or invalid api-version"_s);
    if (record.resource.isEmpty())
        return oauthError(400, u"invalid_request"_s, u"Required query variable 'resource' is missing"_s);
    if (arc) {
        if (auto challenge = arcKeyChallenge(request, record))
            return *challenge;
    }
    QString error;
    const auto identity = findIdentity(request.queryParameters(), {u"client_id"_s}, {u"object_id"_s},
                                       {u"msi_res_id"_s, u"mi_res_id"_s}, record, &error);
    if (!identity)
        return oauthError(400, u"invalid_request"_s, error);
    QJsonObject answer = tokenAnswer(record, *identity, true);
    if (!arc) {
        answer.insert(u"client_id"_s, identity->clientId);
        answer.insert(u"ext_expires_in"_s, QString::number(m_settings.expiresIn));
    } else if (m_settings.arcEchoIdentity) {
        answer.insert(u"client_id"_s, identity->clientId);
        for (auto it = record.identity.constBegin(); it != record.identity.constEnd(); ++it)
            answer.insert(it.key(), it.value());
    }
    return HttpResponse::json(200, answer);
}

HttpResponse MsiEmulator::secretHeaderSourceToken(const HttpRequest &request, RequestRecord &record)
{
    const SecretHeaderSource &source = record.source == u"appservice" ? appServiceSource : azureMlSource;
    if (request.method != "GET")
        return methodNotAllowed("GET");
    record.secret = secretState(request.header(source.header), m_settings.*source.secret);
    if (record.secret == u"missing")
        return statusError(400, u"The %1 header is missing."_s.arg(source.headerInMessages));
    if (record.secret == u"invalid")
        return statusError(401, u"The %1 header does not match."_s.arg(source.headerInMessages));
    if (record.apiVersion != source.apiVersion) {
        return statusError(400, u"The api-version '%1' is not supported; use %2."_s.arg(record.apiVersion,
                                                                                        source.apiVersion));
    }
    if (record.resource.isEmpty())
        return statusError(400, u"The resource parameter is required."_s);
    QString error;
    const auto identity = findIdentity(request.queryParameters(), source.clientIdNames, source.objectIdNames,
                                       source.resourceIdNames, record, &error);
    if (!identity)
        return statusError(400, source.identityNotFound(error));
    QJsonObject answer = tokenAnswer(record, *identity, false);
    answer.insert(u"client_id"_s, identity->clientId);
    return HttpResponse::json(200, answer);
}

std::optional<HttpResponse> MsiEmulator::arcKeyChallenge(const HttpRequest &request, RequestRecord &record)
{
    const QByteArray authorization = request.header("authorization");
    bool authorized = false;
    if (authorization.startsWith("Basic ")) {
        const QByteArray presented = authorization.mid(6);
        for (const QString &path : std::as_const(m_arcKeyFiles)) {
            QFile file(path);
            if (file.open(QIODevice::ReadOnly) && file.readAll() == presented) {
                authorized = true;
                file.close();
                file.remove(); // the agent's keys are good for one request
                m_arcKeyFiles.remove(path);
                break;
            }
        }
        record.secret = authorized ? u"valid"_s : u"invalid"_s;
    } else {
        record.secret = u"missing"_s;
    }
    if (!authorized) {
        // Challenge: a fresh key in the agent's directory, named by the realm.
        const QString path =
            QDir(m_arcKeyDirectory)
                .absoluteFilePath(QString::fromLatin1(sandbox::encoding::randomBytes(8).toHex()) + u".key"_s);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(sandbox::encoding::base64Url(sandbox::encoding::randomBytes(32))) < 0) {
            return oauthError(500, u"server_error"_s,
                              u"cannot write the key file: %1"_s.arg(file.errorString()));
        }
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        m_arcKeyFiles.insert(path);
        HttpResponse response = oauthError(401, u"unauthorized_client"_s,
                                           u"Authorization with the key named by the realm is required."_s);
        response.setHeader("WWW-Authenticate", "Basic realm=" + QDir::toNativeSeparators(path).toUtf8());
        return response;
    }
    return std::nullopt;
}

HttpResponse MsiEmulator::cloudShell(const HttpRequest &request, RequestRecord &record)
{
    if (request.method != "POST")
        return methodNotAllowed("POST");
    if (!record.metadata)
        return oauthError(400, u"invalid_request"_s, u"Required metadata header not specified"_s);
    if (record.resource.isEmpty())
        return oauthError(400, u"invalid_request"_s, u"Required form field 'resource' is missing"_s);
    QString error;
    // Cloud Shell has only the signed-in user's identity; a client_id (DefaultAzureCredential sends
    // one) is recorded and ignored.
    findIdentity(request.formParameters(), {u"client_id"_s}, {}, {}, record, &error);
    QJsonObject answer = tokenAnswer(record, systemIdentity, true);
    answer.insert(u"refresh_token"_s, QString());
    return HttpResponse::json(200, answer);
}

HttpResponse MsiEmulator::serviceFabric(const HttpRequest &request, RequestRecord &record)
{
    if (request.method != "GET")
        return methodNotAllowed("GET");
    record.secret = secretState(request.header("secret"), m_settings.identityHeader);
    if (record.secret == u"missing")
        return fabricError(401, u"SecretHeaderNotFound"_s, u"Secret is not found in the request headers."_s);
    if (record.secret == u"invalid")
        return fabricError(401, u"SecretHeaderMismatch"_s, u"The Secret header does not match."_s);
    if (record.apiVersion != u"2019-07-01-preview")
        return fabricError(400, u"InvalidApiVersion"_s, u"The api-version is not supported."_s);
    if (record.resource.isEmpty())
        return fabricError(400, u"ArgumentNullOrEmpty"_s,
                           u"Value cannot be null or empty. Parameter: resource"_s);
    return HttpResponse::json(200, tokenAnswer(record, systemIdentity, false));
}

HttpResponse MsiEmulator::pipelines(const HttpRequest &request, RequestRecord &record)
{
    if (request.method != "POST")
        return methodNotAllowed("POST");
    record.serviceConnectionId = request.queryParameters().value(u"serviceConnectionId"_s);
    record.fedAuthRedirectSuppressed = request.header("x-tfs-fedauthredirect").toLower() == "suppress";
    const QByteArray authorization = request.header("authorization");
    record.secret = secretState(authorization.startsWith("Bearer ") ? authorization.mid(7) : QByteArray(),
                                m_settings.systemAccessToken);
    if (record.secret != u"valid") {
        if (!record.fedAuthRedirectSuppressed) {
            // What Azure DevOps does with a refused token unless told not to: send the browser to sign in.
            HttpResponse response = HttpResponse::html(302, u"<html><body>Object moved</body></html>"_s);
            response.setHeader("Location",
                               "https://spsprodweu5.vssps.visualstudio.com/_signin?realm=dev.azure.com");
            return response;
        }
        HttpResponse response = HttpResponse::json(
            401,
            QJsonObject{{u"$id"_s, u"1"_s},
                        {u"innerException"_s, QJsonValue::Null},
                        {u"message"_s, u"TF400813: The user '' is not authorized to access this resource."_s},
                        {u"typeName"_s,
                         u"Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, "
                         u"Microsoft.TeamFoundation.Framework.Server"_s},
                        {u"typeKey"_s, u"UnauthorizedRequestException"_s},
                        {u"errorCode"_s, 0},
                        {u"eventId"_s, 3000}});
        response.setHeader("X-VSS-E2EID", sandbox::encoding::newGuid().toLatin1());
        response.setHeader("X-TFS-ProcessId", sandbox::encoding::newGuid().toLatin1());
        response.setHeader("X-MSEdge-Ref", "Ref A: AZIDEMULATOR Ref B: LOCAL Ref C: 2026-01-01T00:00:00Z");
        return response;
    }
    if (record.apiVersion != u"7.1") {
        return HttpResponse::json(
            400, QJsonObject{{u"$id"_s, u"1"_s},
                             {u"message"_s, u"The requested REST API version of %1 is not "
                                            u"supported; use 7.1."_s.arg(record.apiVersion)}});
    }
    if (record.serviceConnectionId.isEmpty() ||
        (!m_settings.serviceConnectionId.isEmpty() &&
         record.serviceConnectionId.compare(m_settings.serviceConnectionId, Qt::CaseInsensitive) != 0)) {
        return HttpResponse::json(
            404, QJsonObject{{u"$id"_s, u"1"_s},
                             {u"message"_s, u"Service connection '%1' could not be found."_s.arg(
                                                record.serviceConnectionId)}});
    }
    QByteArray token = m_settings.oidcToken;
    if (token.isEmpty()) {
        const qint64 now = sandbox::encoding::nowSecs();
        const QJsonObject payload{
            {u"iss"_s, u"https://vstoken.dev.azure.com/00000000-0000-4000-8000-00000000c0de"_s},
            {u"sub"_s, u"sc://azid/emulator/%1"_s.arg(record.serviceConnectionId)},
            {u"aud"_s, u"api://AzureADTokenExchange"_s},
            {u"iat"_s, now},
            {u"nbf"_s, now},
            {u"exp"_s, now + 600}};
        token = sandbox::encoding::base64Url(R"({"alg":"none","typ":"JWT"})") + '.' +
                sandbox::encoding::base64Url(QJsonDocument(payload).toJson(QJsonDocument::Compact)) + '.';
    }
    return HttpResponse::json(200, QJsonObject{{u"oidcToken"_s, QString::fromLatin1(token)}});
}

HttpResponse MsiEmulator::control(const HttpRequest &request)
{
    const QString route = request.pathSegments.mid(1).join(u'/');
    const QByteArray &method = request.method;
    QJsonObject body;
    if (method == "POST") {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
        if (!request.body.trimmed().isEmpty() && !document.isObject())
            return HttpResponse::json(400, QJsonObject{{u"error"_s, u"the body must be a JSON object"_s}});
        body = document.object();
    }
    auto ok = [](QJsonObject extra = {}) {
        extra.insert(u"ok"_s, true);
        return HttpResponse::json(200, extra);
    };
    auto failure = [](int status, const QString &message) {
        return HttpResponse::json(status, QJsonObject{{u"error"_s, message}});
    };
    if (route == u"faults") {
        if (method == "POST") {
            if (const auto problem = addFault(body))
                return failure(400, *problem);
            return ok();
        }
        if (method == "DELETE") {
            m_faults.clear();
            return ok();
        }
        if (method == "GET") {
            QJsonArray faults;
            for (const Fault &fault : std::as_const(m_faults))
                faults.append(QJsonObject{{u"source"_s, fault.source},
                                          {u"status"_s, fault.status},
                                          {u"remaining"_s, fault.remaining}});
            return HttpResponse::json(200, faults);
        }
    } else if (route == u"settings") {
        if (method == "POST") {
            if (const auto problem = updateSettings(body))
                return failure(400, *problem);
            return ok(settingsJson());
        }
        if (method == "GET")
            return HttpResponse::json(200, settingsJson());
    } else if (route == u"requests") {
        if (method == "GET") {
            QJsonArray log;
            for (const RequestRecord &record : std::as_const(m_log))
                log.append(record.toJson());
            return HttpResponse::json(200, log);
        }
        if (method == "DELETE") {
            m_log.clear();
            return ok();
        }
    } else if (route == u"reset" && method == "POST") {
        m_settings = Settings::defaults();
        m_faults.clear();
        m_log.clear();
        return ok(settingsJson());
    }
    return failure(404, u"no control endpoint %1 /_emulator/%2"_s.arg(QString::fromLatin1(method), route));
}

std::optional<QString> MsiEmulator::addFault(const QJsonObject &description)
{
    static const QStringList known{u"source"_s,       u"status"_s,  u"body"_s,        u"json"_s,
                                   u"content_type"_s, u"headers"_s, u"retry_after"_s, u"delay_ms"_s,
                                   u"malformed"_s,    u"count"_s};
    for (auto it = description.begin(); it != description.end(); ++it) {
        if (!known.contains(it.key()))
            return u"unknown fault field '%1'"_s.arg(it.key());
    }
    Fault fault;
    fault.source = description.value(u"source"_s).toString();
    if (!sourceNames.contains(fault.source))
        return u"source must be one of %1"_s.arg(sourceNames.join(u", "_s));
    fault.status = description.value(u"status"_s).toInt(0);
    if (fault.status != 0 && (fault.status < 100 || fault.status > 599))
        return u"status must be an HTTP status"_s;
    if (description.contains(u"json"_s)) {
        const QJsonValue json = description.value(u"json"_s);
        fault.body = json.isArray() ? QJsonDocument(json.toArray()).toJson(QJsonDocument::Compact)
                                    : QJsonDocument(json.toObject()).toJson(QJsonDocument::Compact);
        fault.contentType = "application/json; charset=utf-8";
    } else if (description.contains(u"body"_s)) {
        fault.body = description.value(u"body"_s).toString().toUtf8();
        if (fault.body.isNull())
            fault.body = QByteArray("");
    }
    if (description.contains(u"content_type"_s))
        fault.contentType = description.value(u"content_type"_s).toString().toLatin1();
    const QJsonObject headers = description.value(u"headers"_s).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it)
        fault.headers.append({it.key().toLatin1(), it.value().toString().toUtf8()});
    fault.retryAfter = description.value(u"retry_after"_s).toInt(-1);
    fault.delayMs = description.value(u"delay_ms"_s).toInt(0);
    fault.malformed = description.value(u"malformed"_s).toBool(false);
    fault.remaining = description.value(u"count"_s).toInt(1);
    if (fault.remaining < 1)
        return u"count must be at least 1"_s;
    m_faults.append(fault);
    return std::nullopt;
}

std::optional<QString> MsiEmulator::updateSettings(const QJsonObject &body)
{
    Settings updated = m_settings;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const QString &key = it.key();
        const QJsonValue &value = it.value();
        bool valid = true;
        if (key == u"identity_header" && value.isString())
            updated.identityHeader = value.toString().toUtf8();
        else if (key == u"msi_secret" && value.isString())
            updated.msiSecret = value.toString().toUtf8();
        else if (key == u"system_access_token" && value.isString())
            updated.systemAccessToken = value.toString().toUtf8();
        else if (key == u"service_connection_id" && value.isString())
            updated.serviceConnectionId = value.toString();
        else if (key == u"oidc_token" && value.isString())
            updated.oidcToken = value.toString().toUtf8();
        else if (key == u"expires_in" && value.isDouble() && value.toInt() > 0)
            updated.expiresIn = value.toInt();
        else if (key == u"expires_on_format" && value.isString() &&
                 QStringList{u"string"_s, u"number"_s, u"date"_s, u"date12h"_s}.contains(value.toString()))
            updated.expiresOnFormat = value.toString();
        else if (key == u"system_assigned" && value.isBool())
            updated.systemAssigned = value.toBool();
        else if (key == u"arc_echo_identity" && value.isBool())
            updated.arcEchoIdentity = value.toBool();
        else if (key == u"user_assigned" && value.isArray()) {
            updated.userAssigned.clear();
            for (const QJsonValue &entry : value.toArray()) {
                const QJsonObject o = entry.toObject();
                updated.userAssigned.append({o.value(u"client_id"_s).toString(),
                                             o.value(u"object_id"_s).toString(),
                                             o.value(u"resource_id"_s).toString()});
            }
        } else
            valid = false;
        if (!valid)
            return u"unknown setting or invalid value for '%1'"_s.arg(key);
    }
    m_settings = updated;
    return std::nullopt;
}

QJsonObject MsiEmulator::settingsJson() const
{
    auto identityJson = [](const Identity &identity) {
        return QJsonObject{{u"client_id"_s, identity.clientId},
                           {u"object_id"_s, identity.objectId},
                           {u"resource_id"_s, identity.resourceId}};
    };
    QJsonArray users;
    for (const Identity &identity : m_settings.userAssigned)
        users.append(identityJson(identity));
    // Test values only: the emulator hands them to the tests that configure the client with them.
    return QJsonObject{{u"identity_header"_s, QString::fromUtf8(m_settings.identityHeader)},
                       {u"msi_secret"_s, QString::fromUtf8(m_settings.msiSecret)},
                       {u"system_access_token"_s, QString::fromUtf8(m_settings.systemAccessToken)},
                       {u"service_connection_id"_s, m_settings.serviceConnectionId},
                       {u"expires_in"_s, m_settings.expiresIn},
                       {u"expires_on_format"_s, m_settings.expiresOnFormat},
                       {u"system_assigned"_s, m_settings.systemAssigned},
                       {u"system_identity"_s, identityJson(systemIdentity)},
                       {u"user_assigned"_s, users},
                       {u"arc_echo_identity"_s, m_settings.arcEchoIdentity},
                       {u"arc_key_dir"_s, QDir::toNativeSeparators(m_arcKeyDirectory)}};
}

} // namespace azid::msiemulator
