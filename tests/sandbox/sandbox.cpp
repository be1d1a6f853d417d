#include "sandbox.h"

#include "encoding.h"
#include "htmlpages.h"
#include "oautherror.h"

#include <QJsonDocument>

#include <cstdio>
#include <functional>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

Sandbox::Sandbox(Directory directory, const Settings &settings, bool quiet)
    : m_directory(std::move(directory)), m_settings(settings), m_quiet(quiet),
      m_issuer(m_signer, m_settings, m_store), m_endpoints(m_directory, m_store, m_settings, m_signer),
      m_tokenEndpoint(m_directory, m_store, m_settings, m_issuer),
      m_control(m_directory, m_store, m_settings, m_faults, m_log)
{
    m_tokenEndpoint.setFederatedCredentials(&m_federated);
    m_control.setFederatedCredentials(&m_federated);
    m_control.setResponseGate(&m_gate);
}

void Sandbox::setPort(quint16 port)
{
    m_port = port;
    m_endpoints.setPort(port);
}

HttpResponse Sandbox::handle(const HttpRequest &request)
{
    if (!request.pathSegments.isEmpty() && request.pathSegments.first() == u"_sandbox") {
        const HttpResponse response = m_control.handle(request);
        logLine(request, response.status);
        return response;
    }

    RequestRecord record;
    record.method = QString::fromLatin1(request.method);
    record.path = QString::fromUtf8(request.rawPath);
    record.timeMs = encoding::nowMs();
    record.clientRequestId = QString::fromUtf8(request.header("client-request-id"));
    const QString correlationId =
        record.clientRequestId.isEmpty() ? encoding::newGuid() : record.clientRequestId;
    // Filled up front so that requests answered by an injected fault are still attributable.
    // Only non-secret parameters are read here.
    const QMap<QString, QString> parameters =
        request.method == "POST" ? request.formParameters() : request.queryParameters();
    record.clientId = parameters.value(u"client_id"_s);
    record.grantType = parameters.value(u"grant_type"_s);
    record.scope = parameters.value(u"scope"_s);
    record.claims = parameters.value(u"claims"_s);
    record.hasClaims = !record.claims.isEmpty();
    RequestContext context{request, originFor(request), correlationId, TenantPath{}, record};

    HttpResponse response = route(context);
    record.status = response.status;
    if (record.error.isEmpty() && response.status >= 400 &&
        response.header("Content-Type").startsWith("application/json")) {
        record.error = QJsonDocument::fromJson(response.body).object().value(u"error"_s).toString();
    }
    if (!record.clientRequestId.isEmpty())
        response.setHeader("client-request-id", record.clientRequestId.toUtf8());
    m_log.append(record);
    logLine(request, response.status);
    return response;
}

HttpResponse Sandbox::route(RequestContext &context)
{
    const HttpRequest &request = context.http;
    const QStringList &segments = request.pathSegments;
    QStringList lower;
    for (const QString &segment : segments)
        lower.append(segment.toLower());
    const qsizetype count = lower.size();
    auto matches = [&lower, count](std::initializer_list<QString> tail) {
        if (count != qsizetype(tail.size()) + 1)
            return false;
        qsizetype i = 1;
        for (const QString &expected : tail) {
            if (lower[i++] != expected)
                return false;
        }
        return true;
    };

    struct Route
    {
        QString endpoint;
        QByteArray method;
        bool tenantScoped = false;
        std::function<HttpResponse()> handler;
    };
    const QByteArray getOrPost = request.method == "POST" ? "POST" : "GET";
    Route match;
    if (matches({u"v2.0"_s, u".well-known"_s, u"openid-configuration"_s})) {
        match = {u"openid-configuration"_s, "GET", true,
                 [this, &context]() { return m_endpoints.openIdConfiguration(context); }};
    } else if (matches({u"discovery"_s, u"v2.0"_s, u"keys"_s}) || matches({u"discovery"_s, u"keys"_s})) {
        match = {u"keys"_s, "GET", true, [this, &context]() { return m_endpoints.keys(context); }};
    } else if (matches({u"discovery"_s, u"instance"_s})) {
        match = {u"instance-discovery"_s, "GET", false,
                 [this, &context]() { return m_endpoints.instanceDiscovery(context); }};
    } else if (count == 3 && lower[1] == u"userrealm") {
        match = {u"userrealm"_s, "GET", false,
                 [this, &context, &segments]() { return m_endpoints.userRealm(context, segments[2]); }};
    } else if (matches({u"oauth2"_s, u"v2.0"_s, u"authorize"_s})) {
        match = {u"authorize"_s, "GET", true, [this, &context]() { return m_endpoints.authorize(context); }};
    } else if (matches({u"oauth2"_s, u"v2.0"_s, u"token"_s})) {
        match = {u"token"_s, "POST", true, [this, &context]() { return m_tokenEndpoint.handle(context); }};
    } else if (matches({u"oauth2"_s, u"v2.0"_s, u"devicecode"_s})) {
        match = {u"devicecode"_s, "POST", true,
                 [this, &context]() { return m_endpoints.deviceCode(context); }};
    } else if (matches({u"oauth2"_s, u"v2.0"_s, u"logout"_s})) {
        match = {u"logout"_s, getOrPost, true, [this, &context]() { return m_endpoints.logout(context); }};
    } else if (count == 1 && lower[0] == u"devicelogin") {
        match = {u"devicelogin"_s, getOrPost, false, [this, &context, &request]() {
                     return request.method == "POST" ? m_endpoints.deviceLoginSubmitted(context)
                                                     : m_endpoints.deviceLoginPage(context);
                 }};
    } else if (count == 1 && lower[0] == u"login") {
        match = {u"signin"_s, "POST", false,
                 [this, &context]() { return m_endpoints.signInSubmitted(context); }};
    } else if (count == 1 && lower[0] == u"consent") {
        match = {u"consent"_s, "POST", false,
                 [this, &context]() { return m_endpoints.consentSubmitted(context); }};
    }
    const QString &endpoint = match.endpoint;
    const QByteArray &method = match.method;

    context.record.endpoint = endpoint.isEmpty() ? u"unknown"_s : endpoint;
    if (count >= 3)
        context.record.tenant = segments[0];
    if (endpoint.isEmpty()) {
        return HttpResponse::json(
            404, QJsonObject{{u"error"_s, u"not_found"_s},
                             {u"error_description"_s,
                              u"The sandbox has no endpoint %1."_s.arg(context.record.path)}});
    }
    if (request.method != method) {
        HttpResponse response = HttpResponse::json(
            405, QJsonObject{{u"error"_s, u"method_not_allowed"_s},
                             {u"error_description"_s,
                              u"Use %1 for this endpoint."_s.arg(QString::fromLatin1(method))}});
        response.setHeader("Allow", method);
        return response;
    }

    if (match.tenantScoped)
        context.tenant = m_directory.resolveTenant(segments[0]);
    std::optional<Fault> fault = m_faults.take(endpoint);
    HttpResponse response;
    if (fault && (fault->malformed || fault->status >= 300)) {
        context.record.error = u"injected_fault"_s;
        response = faultResponse(*fault, context);
    } else if (match.tenantScoped && context.tenant.kind == TenantPath::Kind::Unknown) {
        const QString text =
            u"Tenant '%1' not found. Check to make sure you have the correct tenant ID and are "
            u"signing into the correct cloud."_s.arg(segments[0]);
        if (endpoint == u"authorize")
            response = HttpResponse::html(400, HtmlPages::error(90002, text));
        else
            response = OAuthError(400, u"invalid_tenant"_s, 90002, text).toResponse(context.correlationId);
        context.record.error = u"invalid_tenant"_s;
    } else {
        response = match.handler();
    }
    if (fault) {
        applyFault(*fault, response);
        response.delayMs = fault->delayMs;
        if (fault->hold)
            response.gate = &m_gate;
        if (fault->retryAfter >= 0)
            response.setHeader("Retry-After", QByteArray::number(fault->retryAfter));
    }
    return response;
}

void Sandbox::applyFault(const Fault &fault, HttpResponse &response)
{
    const bool jsonAnswer =
        response.status == 200 && response.header("Content-Type").startsWith("application/json");
    if (jsonAnswer)
        FaultInjector::applyFields(fault, response.body);
    if (fault.oversizeKiB > 0) {
        // Valid JSON, just far longer than any authority's answer.
        response.status = 200;
        response.setHeader("Content-Type", "application/json; charset=utf-8");
        response.body = R"({"padding":")" + QByteArray(qsizetype(fault.oversizeKiB) * 1024, 'x') + R"("})";
    }
    if (fault.reset) {
        const QByteArray whole = response.serialize(true);
        response.resetAfterBytes = whole.size() - response.body.size() / 2;
    }
}

HttpResponse Sandbox::faultResponse(const Fault &fault, const RequestContext &context) const
{
    if (fault.malformed) {
        HttpResponse response;
        response.status = fault.status >= 200 ? fault.status : 200;
        response.setHeader("Content-Type", "application/json; charset=utf-8");
        // Cut off mid-document, the way a broken proxy or a crashed backend might deliver it.
        response.body = R"({"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAiOiJKV1Qi)";
        return response;
    }
    QString error = u"invalid_request"_s;
    if (fault.status == 429 || fault.status >= 500)
        error = u"temporarily_unavailable"_s;
    else if (fault.status == 401)
        error = u"invalid_client"_s;
    return OAuthError(
               fault.status, error, 90033,
               u"A transient error has occurred. Please try again. (Fault injected by azid-sandbox: HTTP "
               u"%1.)"_s.arg(fault.status))
        .toResponse(context.correlationId);
}

QString Sandbox::originFor(const HttpRequest &request) const
{
    // Answer under the name the client used, so issuers and endpoints match its authority.
    const QByteArray localhost = "localhost:" + QByteArray::number(m_port);
    if (request.header("host").toLower() == localhost)
        return u"https://localhost:%1"_s.arg(m_port);
    return u"https://127.0.0.1:%1"_s.arg(m_port);
}

void Sandbox::logLine(const HttpRequest &request, int status) const
{
    if (m_quiet)
        return;
    // Only method, path and status: query strings and bodies can carry codes, tokens and passwords.
    std::fprintf(stderr, "azid-sandbox: %s %s %d\n", request.method.constData(), request.rawPath.constData(),
                 status);
    std::fflush(stderr);
}

void Sandbox::logProtocolError(int status, const QByteArray &reason) const
{
    if (m_quiet)
        return;
    std::fprintf(stderr, "azid-sandbox: rejected malformed request: %d %s\n", status, reason.constData());
    std::fflush(stderr);
}

} // namespace azid::sandbox
