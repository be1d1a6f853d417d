#include "entraendpoints.h"

#include "encoding.h"
#include "htmlpages.h"
#include "oautherror.h"
#include "tokenissuer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

constexpr qint64 sessionLifetimeMs = 15 * 60 * 1000;
const QString consumersTenantId = u"9188040d-6c67-4c5b-b112-36a304b66dad"_s;

// Entra accepts loopback redirect URIs on any port: it ignores the port when it matches a localhost
// redirect URI against the registration (Microsoft documents this; RFC 8252 §7.3 asks for it).
bool isLoopbackRedirect(const QString &redirectUri)
{
    const QUrl url(redirectUri, QUrl::StrictMode);
    return url.isValid() && url.scheme() == u"http" &&
           (url.host() == u"localhost" || url.host() == u"127.0.0.1") && url.userInfo().isEmpty() &&
           !url.hasFragment();
}

QString correlationIdFromQuery(const QMap<QString, QString> &query, const QString &fallback)
{
    const QString fromQuery = query.value(u"client-request-id"_s);
    return fromQuery.isEmpty() ? fallback : fromQuery;
}

} // namespace

EntraEndpoints::EntraEndpoints(const Directory &directory, GrantStore &store, const Settings &settings,
                               const JwtSigner &signer)
    : m_directory(directory), m_store(store), m_settings(settings), m_signer(signer)
{}

HttpResponse EntraEndpoints::openIdConfiguration(RequestContext &context) const
{
    const TenantPath &tenant = context.tenant;
    // Like Entra, a tenant named by domain gets endpoints under its GUID; common and organizations
    // keep their name, and the issuer carries the literal {tenantid} placeholder.
    const QString segment = tenant.isSpecific() ? tenant.tenant->id : tenant.segment.toLower();
    QString issuerTenant = u"{tenantid}"_s;
    if (tenant.isSpecific())
        issuerTenant = tenant.tenant->id;
    else if (tenant.kind == TenantPath::Kind::Consumers)
        issuerTenant = consumersTenantId;
    const QString base = context.origin + u'/' + segment;

    const QJsonObject document{
        {u"token_endpoint"_s, base + u"/oauth2/v2.0/token"_s},
        {u"token_endpoint_auth_methods_supported"_s,
         QJsonArray{u"client_secret_post"_s, u"private_key_jwt"_s, u"client_secret_basic"_s}},
        {u"jwks_uri"_s, base + u"/discovery/v2.0/keys"_s},
        {u"response_modes_supported"_s, QJsonArray{u"query"_s, u"fragment"_s, u"form_post"_s}},
        {u"subject_types_supported"_s, QJsonArray{u"pairwise"_s}},
        {u"id_token_signing_alg_values_supported"_s, QJsonArray{u"RS256"_s}},
        {u"response_types_supported"_s,
         QJsonArray{u"code"_s, u"id_token"_s, u"code id_token"_s, u"id_token token"_s}},
        {u"scopes_supported"_s, QJsonArray{u"openid"_s, u"profile"_s, u"email"_s, u"offline_access"_s}},
        {u"issuer"_s, u"%1/%2/v2.0"_s.arg(context.origin, issuerTenant)},
        {u"request_uri_parameter_supported"_s, false},
        {u"userinfo_endpoint"_s, u"https://graph.microsoft.com/oidc/userinfo"_s},
        {u"authorization_endpoint"_s, base + u"/oauth2/v2.0/authorize"_s},
        {u"device_authorization_endpoint"_s, base + u"/oauth2/v2.0/devicecode"_s},
        {u"http_logout_supported"_s, true},
        {u"frontchannel_logout_supported"_s, true},
        {u"end_session_endpoint"_s, base + u"/oauth2/v2.0/logout"_s},
        {u"claims_supported"_s,
         QJsonArray{u"sub"_s, u"iss"_s, u"cloud_instance_name"_s, u"cloud_instance_host_name"_s,
                    u"cloud_graph_host_name"_s, u"msgraph_host"_s, u"aud"_s, u"exp"_s, u"iat"_s,
                    u"auth_time"_s, u"acr"_s, u"nonce"_s, u"preferred_username"_s, u"name"_s, u"tid"_s,
                    u"ver"_s, u"at_hash"_s, u"c_hash"_s, u"email"_s}},
        {u"kerberos_endpoint"_s, base + u"/kerberos"_s},
        {u"tenant_region_scope"_s, tenant.isSpecific() ? QJsonValue(u"NA"_s) : QJsonValue(QJsonValue::Null)},
        {u"cloud_instance_name"_s, u"microsoftonline.com"_s},
        {u"cloud_graph_host_name"_s, u"graph.windows.net"_s},
        {u"msgraph_host"_s, u"graph.microsoft.com"_s},
        {u"rbac_url"_s, u"https://pas.windows.net"_s}};
    HttpResponse response = HttpResponse::json(200, document);
    response.setHeader("Cache-Control", "max-age=86400, private");
    response.setHeader("Access-Control-Allow-Origin", "*");
    return response;
}

HttpResponse EntraEndpoints::keys(RequestContext &) const
{
    HttpResponse response = HttpResponse::json(200, m_signer.jwks());
    response.setHeader("Cache-Control", "max-age=86400, private");
    return response;
}

HttpResponse EntraEndpoints::instanceDiscovery(RequestContext &context) const
{
    const QString endpoint = context.http.queryParameters().value(u"authorization_endpoint"_s);
    const QUrl url(endpoint, QUrl::StrictMode);
    const bool isSandbox = url.isValid() && url.scheme() == u"https" && url.port(443) == m_port &&
                           (url.host() == u"127.0.0.1" || url.host() == u"localhost");
    if (!isSandbox) {
        return OAuthError(400, u"invalid_instance"_s, 50049, u"Unknown or invalid instance."_s)
            .toResponse(context.correlationId);
    }
    const QString tenant = url.path().section(u'/', 0, 0, QString::SectionSkipEmpty);
    const QString network = u"127.0.0.1:%1"_s.arg(m_port);
    const QJsonObject metadata{{u"preferred_network"_s, network},
                               {u"preferred_cache"_s, network},
                               {u"aliases"_s, QJsonArray{network, u"localhost:%1"_s.arg(m_port)}}};
    const QJsonObject body{
        {u"tenant_discovery_endpoint"_s, u"%1/%2/v2.0/.well-known/openid-configuration"_s.arg(
                                             context.origin, tenant.isEmpty() ? u"common"_s : tenant)},
        {u"api-version"_s, u"1.1"_s},
        {u"metadata"_s, QJsonArray{metadata}}};
    HttpResponse response = HttpResponse::json(200, body);
    response.setHeader("Cache-Control", "max-age=86400, private");
    return response;
}

HttpResponse EntraEndpoints::userRealm(RequestContext &context, const QString &username) const
{
    context.record.username = username;
    const QString domain = username.section(u'@', 1).toLower();
    QJsonObject body{{u"ver"_s, u"1.0"_s}, {u"cloud_instance_name"_s, u"microsoftonline.com"_s}};
    const User *user = m_directory.user(username);
    const Tenant *tenant = m_directory.tenantByDomain(domain);
    if (!user && !tenant) {
        body.insert(u"account_type"_s, u"Unknown"_s);
        return HttpResponse::json(200, body);
    }
    body.insert(u"domain_name"_s, domain);
    body.insert(u"cloud_audience_urn"_s, u"urn:federation:MicrosoftOnline"_s);
    if (user && user->federated) {
        body.insert(u"account_type"_s, u"Federated"_s);
        body.insert(u"federation_protocol"_s, u"WSTrust"_s);
        body.insert(u"federation_metadata_url"_s, u"https://sts.%1/adfs/services/trust/mex"_s.arg(domain));
        body.insert(u"federation_active_auth_url"_s,
                    u"https://sts.%1/adfs/services/trust/2005/usernamemixed"_s.arg(domain));
        body.insert(u"federation_global_version"_s, -1);
    } else {
        body.insert(u"account_type"_s, u"Managed"_s);
    }
    return HttpResponse::json(200, body);
}

HttpResponse EntraEndpoints::authorize(RequestContext &context)
{
    const QMap<QString, QString> query = context.http.queryParameters();
    AuthorizeRequest request;
    request.tenantSegment = context.tenant.segment;
    request.clientId = query.value(u"client_id"_s);
    request.redirectUri = query.value(u"redirect_uri"_s);
    request.responseMode = query.value(u"response_mode"_s, u"query"_s);
    request.state = query.value(u"state"_s);
    request.nonce = query.value(u"nonce"_s);
    request.codeChallenge = query.value(u"code_challenge"_s);
    request.scopes = query.value(u"scope"_s).split(u' ', Qt::SkipEmptyParts);
    request.claims = query.value(u"claims"_s);
    request.loginHint = query.value(u"login_hint"_s);
    request.clientInfo = query.value(u"client_info"_s) == u"1";
    context.record.clientId = request.clientId;
    context.record.scope = request.scopes.join(u' ');
    context.record.hasClaims = !request.claims.isEmpty();
    context.record.claims = request.claims;
    context.record.username = request.loginHint;
    const QString correlationId = correlationIdFromQuery(query, context.correlationId);

    // Problems with the app or redirect URI are shown to the user, never sent to an unverified URI.
    const App *app = m_directory.app(request.clientId);
    if (!app) {
        return HttpResponse::html(400,
                                  HtmlPages::error(700016, u"Application with identifier '%1' was not found "
                                                           u"in the directory."_s.arg(request.clientId)));
    }
    if (!isLoopbackRedirect(request.redirectUri)) {
        return HttpResponse::html(
            400, HtmlPages::error(50011,
                                  u"The redirect URI '%1' specified in the request does not match the "
                                  u"redirect URIs configured for the application '%2'. The sandbox accepts "
                                  u"http://localhost[:port][/path] and http://127.0.0.1[:port][/path]."_s.arg(
                                      request.redirectUri, request.clientId)));
    }
    if (request.responseMode != u"query" && request.responseMode != u"fragment" &&
        request.responseMode != u"form_post") {
        request.responseMode = u"query"_s;
        return redirectError(context, request, u"invalid_request"_s, 900144,
                             u"The value of response_mode is not supported."_s);
    }
    if (query.value(u"response_type"_s) != u"code") {
        return redirectError(context, request, u"unsupported_response_type"_s, 700054,
                             u"The sandbox only supports response_type=code."_s);
    }
    if (request.scopes.isEmpty()) {
        return redirectError(context, request, u"invalid_request"_s, 900144,
                             u"The request body must contain the following parameter: 'scope'."_s);
    }
    if (app->isPublic && request.codeChallenge.isEmpty()) {
        return redirectError(context, request, u"invalid_request"_s, 9002325,
                             u"Proof Key for Code Exchange is required for cross-origin authorization code "
                             u"redemption."_s);
    }
    if (!request.codeChallenge.isEmpty()) {
        if (query.value(u"code_challenge_method"_s) != u"S256") {
            return redirectError(context, request, u"invalid_request"_s, 501491,
                                 u"The sandbox requires code_challenge_method=S256."_s);
        }
        if (request.codeChallenge.size() != 43) {
            return redirectError(context, request, u"invalid_request"_s, 501491,
                                 u"Invalid size of Code_Challenge parameter."_s);
        }
    }
    const QString prompt = query.value(u"prompt"_s);
    static const QStringList prompts{QString(),    u"login"_s,          u"none"_s,
                                     u"consent"_s, u"select_account"_s, u"create"_s};
    if (!prompts.contains(prompt)) {
        return redirectError(context, request, u"invalid_request"_s, 90023,
                             u"Invalid prompt value '%1'."_s.arg(prompt));
    }
    if (!request.claims.isEmpty() && !QJsonDocument::fromJson(request.claims.toUtf8()).isObject()) {
        return redirectError(context, request, u"invalid_request"_s, 9002313,
                             u"Invalid request. The claims parameter is not a JSON object."_s);
    }

    if (m_settings.autoApprove) {
        const User *user =
            request.loginHint.isEmpty() ? m_directory.defaultUser() : m_directory.user(request.loginHint);
        if (!user) {
            return redirectError(context, request, u"invalid_request"_s, 50034,
                                 u"The user account does not exist in the directory."_s);
        }
        if (!m_directory.canSignIn(*user, context.tenant)) {
            return redirectError(context, request, u"invalid_request"_s, 50020,
                                 u"User account '%1' does not exist in tenant '%2'."_s.arg(
                                     user->username, context.tenant.segment));
        }
        context.record.username = user->username;
        return redirectWithCode(request, *user);
    }
    if (prompt == u"none") {
        // No browser session exists for silent sign-in, exactly like a fresh Entra session.
        return redirectError(context, request, u"login_required"_s, 50058,
                             u"A silent sign-in request was sent but no user is signed in."_s);
    }

    InteractionSession session;
    session.request = request;
    session.expiresAtMs = encoding::nowMs() + sessionLifetimeMs;
    return signInPage(m_store.addSession(session), request.loginHint, QString());
}

HttpResponse EntraEndpoints::signInSubmitted(RequestContext &context)
{
    const QMap<QString, QString> form = context.http.formParameters();
    InteractionSession *session = m_store.session(form.value(u"session"_s));
    if (!session) {
        return HttpResponse::html(400, HtmlPages::message(u"Session expired"_s,
                                                          u"This sign-in page has expired. Start again from "
                                                          u"your application."_s));
    }
    const bool isDevice = !session->userCode.isEmpty();
    const DeviceAuthorization *device = isDevice ? m_store.deviceByUserCode(session->userCode) : nullptr;
    if (isDevice && (!device || device->expiresAtMs <= encoding::nowMs() ||
                     device->state != DeviceAuthorization::State::Pending)) {
        m_store.removeSession(session->id);
        return HttpResponse::html(400, HtmlPages::message(u"Code expired"_s,
                                                          u"The code you entered has expired. Get a new code "
                                                          u"from your app or device and try again."_s));
    }
    context.record.clientId = isDevice ? device->clientId : session->request.clientId;

    const QString username = form.value(u"username"_s).trimmed();
    context.record.username = username;
    const User *user = m_directory.user(username);
    if (!user || user->password != form.value(u"password"_s)) {
        return signInPage(
            *session, username,
            u"AADSTS50126: Error validating credentials due to invalid username or password."_s);
    }
    const TenantPath tenant =
        m_directory.resolveTenant(isDevice ? device->tenantSegment : session->request.tenantSegment);
    if (!m_directory.canSignIn(*user, tenant)) {
        return signInPage(*session, username,
                          u"AADSTS50020: User account '%1' does not exist in tenant '%2' and cannot access "
                          u"the application."_s.arg(user->username, tenant.segment));
    }
    session->username = user->username;
    const QString clientId = isDevice ? device->clientId : session->request.clientId;
    const QStringList scopes = isDevice ? device->scopes : session->request.scopes;
    return HttpResponse::html(200,
                              HtmlPages::consent(session->id, appName(clientId), user->username, scopes));
}

HttpResponse EntraEndpoints::consentSubmitted(RequestContext &context)
{
    const QMap<QString, QString> form = context.http.formParameters();
    InteractionSession *session = m_store.session(form.value(u"session"_s));
    const QString action = form.value(u"action"_s);
    if (!session || session->username.isEmpty() || (action != u"accept" && action != u"cancel")) {
        return HttpResponse::html(400,
                                  HtmlPages::message(u"Session expired"_s,
                                                     u"This consent page is no longer valid. Start again "
                                                     u"from your application."_s));
    }
    const InteractionSession finished = *session;
    m_store.removeSession(finished.id);
    context.record.username = finished.username;
    const User *user = m_directory.user(finished.username);

    if (finished.userCode.isEmpty()) {
        context.record.clientId = finished.request.clientId;
        if (action == u"cancel" || !user) {
            return redirectError(context, finished.request, u"access_denied"_s, 65004,
                                 u"User declined to consent to access the app."_s);
        }
        return redirectWithCode(finished.request, *user);
    }

    DeviceAuthorization *device = m_store.deviceByUserCode(finished.userCode);
    if (!device || device->expiresAtMs <= encoding::nowMs() ||
        device->state != DeviceAuthorization::State::Pending) {
        return HttpResponse::html(400, HtmlPages::message(u"Code expired"_s,
                                                          u"The code you entered has expired. Get a new code "
                                                          u"from your app or device and try again."_s));
    }
    context.record.clientId = device->clientId;
    if (action == u"cancel" || !user) {
        device->state = DeviceAuthorization::State::Declined;
        return HttpResponse::html(
            200, HtmlPages::message(u"Sign-in declined"_s,
                                    u"You have declined to sign in to %1 on your device. "
                                    u"You may now close this window."_s.arg(appName(device->clientId))));
    }
    device->state = DeviceAuthorization::State::Approved;
    device->username = user->username;
    return HttpResponse::html(
        200, HtmlPages::message(u"Signed in"_s,
                                u"You have signed in to the %1 application on your device. "
                                u"You may now close this window."_s.arg(appName(device->clientId))));
}

HttpResponse EntraEndpoints::deviceCode(RequestContext &context)
{
    const QMap<QString, QString> form = context.http.formParameters();
    const QString clientId = form.value(u"client_id"_s);
    const QString scope = form.value(u"scope"_s);
    context.record.clientId = clientId;
    context.record.scope = scope;
    context.record.hasClaims = form.contains(u"claims"_s);
    context.record.claims = form.value(u"claims"_s);
    if (clientId.isEmpty()) {
        return OAuthError(400, u"invalid_request"_s, 900144,
                          u"The request body must contain the following parameter: 'client_id'."_s)
            .toResponse(context.correlationId);
    }
    if (!m_directory.app(clientId)) {
        return OAuthError(400, u"unauthorized_client"_s, 700016,
                          u"Application with identifier '%1' was not found in the directory '%2'."_s.arg(
                              clientId, context.tenant.segment))
            .toResponse(context.correlationId);
    }
    if (scope.trimmed().isEmpty()) {
        return OAuthError(400, u"invalid_request"_s, 900144,
                          u"The request body must contain the following parameter: 'scope'."_s)
            .toResponse(context.correlationId);
    }

    DeviceAuthorization device;
    device.clientId = clientId;
    device.tenantSegment = context.tenant.segment;
    device.scopes = scope.split(u' ', Qt::SkipEmptyParts);
    device.claims = form.value(u"claims"_s);
    device.intervalSecs = m_settings.deviceInterval;
    device.expiresAtMs = encoding::nowMs() + qint64(m_settings.deviceExpires) * 1000;
    const DeviceAuthorization &stored = m_store.addDevice(device);

    const QString verificationUri = context.origin + u"/devicelogin"_s;
    const QJsonObject body{
        {u"user_code"_s, stored.userCode},
        {u"device_code"_s, stored.deviceCode},
        {u"verification_uri"_s, verificationUri},
        {u"expires_in"_s, m_settings.deviceExpires},
        {u"interval"_s, m_settings.deviceInterval},
        {u"message"_s, u"To sign in, use a web browser to open the page %1 and enter the code %2 to "
                       u"authenticate."_s.arg(verificationUri, stored.userCode)}};
    return HttpResponse::json(200, body);
}

HttpResponse EntraEndpoints::deviceLoginPage(RequestContext &context) const
{
    const QMap<QString, QString> query = context.http.queryParameters();
    return HttpResponse::html(200, HtmlPages::deviceCodeEntry(query.value(u"otc"_s), QString()));
}

HttpResponse EntraEndpoints::deviceLoginSubmitted(RequestContext &context)
{
    const QString userCode = context.http.formParameters().value(u"user_code"_s).trimmed();
    const DeviceAuthorization *device = m_store.deviceByUserCode(userCode);
    if (!device || device->state != DeviceAuthorization::State::Pending) {
        return HttpResponse::html(
            200,
            HtmlPages::deviceCodeEntry(userCode, u"That code didn't work. Check the code and try again."_s));
    }
    if (device->expiresAtMs <= encoding::nowMs()) {
        return HttpResponse::html(200, HtmlPages::deviceCodeEntry(
                                           userCode, u"The code you entered has expired. Get a new code from "
                                                     u"your app or device and try again."_s));
    }
    context.record.clientId = device->clientId;
    InteractionSession session;
    session.userCode = device->userCode;
    session.expiresAtMs = encoding::nowMs() + sessionLifetimeMs;
    return signInPage(m_store.addSession(session), QString(), QString());
}

HttpResponse EntraEndpoints::logout(RequestContext &context) const
{
    const QString target = context.http.queryParameters().value(u"post_logout_redirect_uri"_s);
    if (isLoopbackRedirect(target))
        return HttpResponse::redirect(target);
    return HttpResponse::html(200, HtmlPages::message(u"Signed out"_s,
                                                      u"You signed out of your account. It's a good idea to "
                                                      u"close all browser windows."_s));
}

HttpResponse EntraEndpoints::redirectToClient(const AuthorizeRequest &request, Parameters parameters) const
{
    if (!request.state.isEmpty())
        parameters.append({u"state"_s, request.state});
    if (request.responseMode == u"form_post")
        return HttpResponse::html(200, HtmlPages::formPost(request.redirectUri, parameters));

    QUrl url(request.redirectUri, QUrl::StrictMode);
    // Entra adds the trailing slash to path-less loopback redirect URIs (http://localhost:PORT/?code=...).
    if (url.path().isEmpty())
        url.setPath(u"/"_s);
    QString encoded;
    for (const auto &[name, value] : parameters) {
        if (!encoded.isEmpty())
            encoded += u'&';
        encoded += QString::fromLatin1(QUrl::toPercentEncoding(name)) + u'=' +
                   QString::fromLatin1(QUrl::toPercentEncoding(value));
    }
    QString location;
    if (request.responseMode == u"fragment") {
        location = url.toString(QUrl::FullyEncoded) + u'#' + encoded;
    } else {
        const QString existing = url.query(QUrl::FullyEncoded);
        url.setQuery(QString());
        location = url.toString(QUrl::FullyEncoded) + u'?' +
                   (existing.isEmpty() ? encoded : existing + u'&' + encoded);
    }
    return HttpResponse::redirect(location);
}

HttpResponse EntraEndpoints::redirectError(const RequestContext &context, const AuthorizeRequest &request,
                                           const QString &error, int aadsts, const QString &text) const
{
    context.record.error = error;
    const QString correlationId =
        correlationIdFromQuery(context.http.queryParameters(), context.correlationId);
    const QString description = u"AADSTS%1: %2\r\nTrace ID: %3\r\nCorrelation ID: %4\r\nTimestamp: %5"_s.arg(
        QString::number(aadsts), text, encoding::newGuid(), correlationId, encoding::entraTimestamp());
    return redirectToClient(
        request, {{u"error"_s, error},
                  {u"error_description"_s, description},
                  {u"error_uri"_s, u"https://login.microsoftonline.com/error?code=%1"_s.arg(aadsts)}});
}

HttpResponse EntraEndpoints::redirectWithCode(const AuthorizeRequest &request, const User &user)
{
    AuthorizationCode code;
    code.request = request;
    code.username = user.username;
    code.tenantId = m_directory.issuingTenant(user, m_directory.resolveTenant(request.tenantSegment));
    code.expiresAtMs = encoding::nowMs() + qint64(m_settings.codeLifetime) * 1000;
    Parameters parameters{{u"code"_s, m_store.addCode(code)}};
    if (request.clientInfo)
        parameters.append({u"client_info"_s, TokenIssuer::clientInfo(user)});
    parameters.append({u"session_state"_s, encoding::newGuid()});
    return redirectToClient(request, parameters);
}

HttpResponse EntraEndpoints::signInPage(const InteractionSession &session, const QString &username,
                                        const QString &error) const
{
    QString clientId = session.request.clientId;
    if (!session.userCode.isEmpty()) {
        const DeviceAuthorization *device = m_store.deviceByUserCode(session.userCode);
        clientId = device ? device->clientId : QString();
    }
    return HttpResponse::html(
        200, HtmlPages::signIn(session.id, appName(clientId), username, error, testAccounts()));
}

QString EntraEndpoints::appName(const QString &clientId) const
{
    const App *app = m_directory.app(clientId);
    return app ? app->name : clientId;
}

EntraEndpoints::Parameters EntraEndpoints::testAccounts() const
{
    // Listing passwords on the page is only acceptable for the published built-in test directory.
    Parameters accounts;
    if (m_directory.isBuiltIn()) {
        for (const User &user : m_directory.users())
            accounts.append({user.username, user.password});
    }
    return accounts;
}

} // namespace azid::sandbox
