#include "tokenendpoint.h"

#include "encoding.h"
#include "oautherror.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

const QString deviceCodeGrant = u"urn:ietf:params:oauth:grant-type:device_code"_s;
const QString jwtBearerGrant = u"urn:ietf:params:oauth:grant-type:jwt-bearer"_s;

HttpResponse missingParameter(const RequestContext &context, const QString &name)
{
    return OAuthError(400, u"invalid_request"_s, 900144,
                      u"The request body must contain the following parameter: '%1'."_s.arg(name))
        .toResponse(context.correlationId);
}

// What a conditional access policy demanding MFA sends back for the client to replay interactively.
QString mfaClaimsChallenge()
{
    const QString policy = encoding::stableGuid("azid-sandbox:capolicy:mfa");
    return u"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"%1\"]}}}"_s.arg(policy);
}

QString resourceName(const ScopeSet &scopes)
{
    return scopes.resources.isEmpty() ? u"https://graph.microsoft.com"_s : scopes.resources.first();
}

std::optional<HttpResponse> rejectMultipleResources(const RequestContext &context, const ScopeSet &scopes)
{
    if (scopes.resources.size() <= 1)
        return std::nullopt;
    return OAuthError(
               400, u"invalid_scope"_s, 700022,
               u"The provided value for the input parameter scope is not valid because it contains more "
               u"than one resource. Scope %1 is not valid."_s.arg(scopes.resourceScopes.join(u' ')))
        .toResponse(context.correlationId);
}

} // namespace

TokenEndpoint::TokenEndpoint(const Directory &directory, GrantStore &store, const Settings &settings,
                             TokenIssuer &issuer)
    : m_directory(directory), m_store(store), m_settings(settings), m_issuer(issuer)
{}

HttpResponse TokenEndpoint::handle(RequestContext &context)
{
    const Form form = context.http.formParameters();
    RequestRecord &record = context.record;
    record.grantType = form.value(u"grant_type"_s);
    record.scope = form.value(u"scope"_s);
    record.claims = form.value(u"claims"_s);
    record.hasClaims = !record.claims.isEmpty();

    // client_secret_basic: "Basic base64(urlencode(id):urlencode(secret))" (RFC 6749 §2.3.1).
    QString basicId;
    QString basicSecret;
    const QByteArray authorization = context.http.header("authorization");
    if (authorization.startsWith("Basic ")) {
        const QByteArray decoded = QByteArray::fromBase64(authorization.mid(6).trimmed());
        const qsizetype colon = decoded.indexOf(':');
        if (colon > 0) {
            basicId = QString::fromUtf8(QByteArray::fromPercentEncoding(decoded.left(colon)));
            basicSecret = QString::fromUtf8(QByteArray::fromPercentEncoding(decoded.mid(colon + 1)));
        }
    }
    const QString clientId = form.value(u"client_id"_s, basicId);
    record.clientId = clientId;
    if (clientId.isEmpty())
        return missingParameter(context, u"client_id"_s);
    const App *app = m_directory.app(clientId);
    if (!app) {
        return OAuthError(
                   400, u"unauthorized_client"_s, 700016,
                   u"Application with identifier '%1' was not found in the directory '%2'. This can "
                   u"happen if the application has not been installed by the administrator of the tenant "
                   u"or consented to by any user in the tenant."_s.arg(clientId, context.tenant.segment))
            .toResponse(context.correlationId);
    }

    const QString secret = form.value(u"client_secret"_s, basicSecret);
    const bool hasAssertion = !form.value(u"client_assertion"_s).isEmpty();
    if (app->isPublic) {
        if (!secret.isEmpty() || hasAssertion) {
            return OAuthError(401, u"invalid_client"_s, 700025,
                              u"Client is public so neither 'client_assertion' nor 'client_secret' should be "
                              u"presented."_s)
                .toResponse(context.correlationId);
        }
    } else if (hasAssertion) {
        record.clientAuth = u"client_assertion"_s;
        const QString assertion = form.value(u"client_assertion"_s);
        if (m_federated && m_federated->handles(assertion, *app)) {
            record.clientAuth = u"federated_assertion"_s;
            if (auto rejection = m_federated->verify(assertion, *app))
                return rejection->toResponse(context.correlationId);
        } else if (auto rejection = m_assertions.verify(context, form, *app, m_directory)) {
            return rejection->toResponse(context.correlationId);
        }
    } else if (secret.isEmpty()) {
        return OAuthError(401, u"invalid_client"_s, 7000218,
                          u"The request body must contain the following parameter: 'client_assertion' or "
                          u"'client_secret'."_s)
            .toResponse(context.correlationId);
    } else if (secret != app->secret || app->secret.isEmpty()) {
        record.clientAuth = u"client_secret"_s;
        return OAuthError(
                   401, u"invalid_client"_s, 7000215,
                   u"Invalid client secret provided. Ensure the secret being sent in the request is the "
                   u"client secret value, not the client secret ID, for a secret added to app '%1'."_s.arg(
                       app->clientId))
            .toResponse(context.correlationId);
    } else {
        record.clientAuth = u"client_secret"_s;
    }

    if (record.hasClaims && !QJsonDocument::fromJson(record.claims.toUtf8()).isObject()) {
        return OAuthError(
                   400, u"invalid_request"_s, 9002313,
                   u"Invalid request. Request is malformed or invalid: the claims parameter is not a JSON "
                   u"object."_s)
            .toResponse(context.correlationId);
    }

    const QString grantType = record.grantType;
    if (grantType.isEmpty())
        return missingParameter(context, u"grant_type"_s);
    if (grantType == u"authorization_code")
        return authorizationCode(context, form, *app);
    if (grantType == deviceCodeGrant)
        return deviceCode(context, form, *app);
    if (grantType == u"password")
        return password(context, form, *app);
    if (grantType == u"refresh_token")
        return refreshToken(context, form, *app);
    if (grantType == u"client_credentials")
        return clientCredentials(context, form, *app);
    if (grantType == jwtBearerGrant)
        return onBehalfOf(context, form, *app);
    return OAuthError(400, u"unsupported_grant_type"_s, 70003,
                      u"The app requested an unsupported grant type '%1'."_s.arg(grantType))
        .toResponse(context.correlationId);
}

HttpResponse TokenEndpoint::authorizationCode(RequestContext &context, const Form &form, const App &app)
{
    const QString value = form.value(u"code"_s);
    if (value.isEmpty())
        return missingParameter(context, u"code"_s);
    AuthorizationCode *code = m_store.code(value);
    if (!code) {
        return OAuthError(400, u"invalid_grant"_s, 70000, u"Provided grant is invalid or malformed."_s)
            .toResponse(context.correlationId);
    }
    context.record.username = code->username;
    if (code->redeemed) {
        return OAuthError(
                   400, u"invalid_grant"_s, 54005,
                   u"OAuth2 Authorization code was already redeemed, please retry with a new valid code or "
                   u"use an existing refresh token."_s)
            .toResponse(context.correlationId);
    }
    if (code->expiresAtMs <= encoding::nowMs()) {
        return OAuthError(
                   400, u"invalid_grant"_s, 70008,
                   u"The provided authorization code or refresh token has expired due to inactivity. Send "
                   u"a new interactive authorization request for this user and resource."_s)
            .toResponse(context.correlationId);
    }
    if (code->request.clientId.compare(app.clientId, Qt::CaseInsensitive) != 0) {
        return OAuthError(400, u"invalid_grant"_s, 70000,
                          u"Provided grant is invalid or malformed: the code was issued to another client."_s)
            .toResponse(context.correlationId);
    }
    if (form.value(u"redirect_uri"_s) != code->request.redirectUri) {
        return OAuthError(
                   400, u"invalid_grant"_s, 50011,
                   u"The redirect URI '%1' specified in the request does not match the redirect URI used "
                   u"when the authorization code was requested."_s.arg(form.value(u"redirect_uri"_s)))
            .toResponse(context.correlationId);
    }
    if (!code->request.codeChallenge.isEmpty()) {
        const QByteArray verifier = form.value(u"code_verifier"_s).toUtf8();
        if (encoding::base64Url(encoding::sha256(verifier)) != code->request.codeChallenge.toLatin1()) {
            return OAuthError(
                       400, u"invalid_grant"_s, 501481,
                       u"The Code_Verifier does not match the code_challenge supplied in the authorization "
                       u"request."_s)
                .toResponse(context.correlationId);
        }
    }
    if (context.tenant.isSpecific() && context.tenant.tenant->id != code->tenantId) {
        return OAuthError(
                   400, u"invalid_grant"_s, 700005,
                   u"Provided Authorization Code is intended to use against other tenant, thus rejected."_s)
            .toResponse(context.correlationId);
    }
    const User *user = m_directory.user(code->username);
    const QString scope = form.value(u"scope"_s, code->request.scopes.join(u' '));
    const ScopeSet scopes = ScopeSet::parse(scope.isEmpty() ? code->request.scopes.join(u' ') : scope);
    if (auto rejection = rejectMultipleResources(context, scopes))
        return *rejection;
    if (!user) {
        return OAuthError(400, u"invalid_grant"_s, 50034, u"The user account no longer exists."_s)
            .toResponse(context.correlationId);
    }
    code->redeemed = true;

    TokenIssuer::UserGrant grant;
    grant.user = user;
    grant.app = &app;
    grant.tenantId = code->tenantId;
    grant.scopes = scopes;
    grant.nonce = code->request.nonce;
    grant.claims = form.value(u"claims"_s, code->request.claims);
    grant.clientInfo = form.value(u"client_info"_s) == u"1";
    grant.interactive = true;
    return issue(context, grant);
}

HttpResponse TokenEndpoint::deviceCode(RequestContext &context, const Form &form, const App &app)
{
    // MSAL also sends the device code as "code"; device_code is the standard name (RFC 8628 §3.4).
    const QString value = form.value(u"device_code"_s, form.value(u"code"_s));
    if (value.isEmpty())
        return missingParameter(context, u"device_code"_s);
    DeviceAuthorization *device = m_store.deviceByDeviceCode(value);
    if (!device) {
        return OAuthError(400, u"bad_verification_code"_s, 70018,
                          u"Invalid verification code. The device code is unknown or was already redeemed."_s)
            .toResponse(context.correlationId);
    }
    if (device->clientId.compare(app.clientId, Qt::CaseInsensitive) != 0) {
        return OAuthError(400, u"invalid_grant"_s, 70000,
                          u"Provided grant is invalid or malformed: the device code was issued to another "
                          u"client."_s)
            .toResponse(context.correlationId);
    }
    const qint64 now = encoding::nowMs();
    if (device->expiresAtMs <= now) {
        return OAuthError(400, u"expired_token"_s, 70019, u"Verification code expired."_s)
            .toResponse(context.correlationId);
    }
    switch (device->state) {
    case DeviceAuthorization::State::Pending: {
        const qint64 sinceLastPoll = now - device->lastPollMs;
        const bool tooFast =
            device->lastPollMs > 0 && sinceLastPoll < qint64(device->intervalSecs) * 1000 - 500;
        // With slow_down on, the second poll of a code is answered slow_down even at the advertised
        // pace (a server under load), and every poll earlier than the grown interval after that.
        const bool slowDown =
            m_settings.slowDown && device->lastPollMs > 0 && (tooFast || !device->slowedDown);
        device->lastPollMs = now;
        if (slowDown) {
            // RFC 8628 §3.5: the client must add 5 s to its interval from now on, so we expect that too.
            device->intervalSecs += 5;
            device->slowedDown = true;
            return OAuthError(400, u"slow_down"_s, 70016,
                              u"OAuth 2.0 device flow error. Polling too fast; slow down."_s)
                .toResponse(context.correlationId);
        }
        return OAuthError(400, u"authorization_pending"_s, 70016,
                          u"OAuth 2.0 device flow error. Authorization is pending. Continue polling."_s)
            .toResponse(context.correlationId);
    }
    case DeviceAuthorization::State::Declined:
        return OAuthError(400, u"authorization_declined"_s, 70000,
                          u"The end user denied the authorization request."_s)
            .toResponse(context.correlationId);
    case DeviceAuthorization::State::Approved:
        break;
    }

    const User *user = m_directory.user(device->username);
    const ScopeSet scopes = ScopeSet::parse(device->scopes.join(u' '));
    if (auto rejection = rejectMultipleResources(context, scopes))
        return *rejection;
    if (!user) {
        return OAuthError(400, u"invalid_grant"_s, 50034, u"The user account no longer exists."_s)
            .toResponse(context.correlationId);
    }
    TokenIssuer::UserGrant grant;
    grant.user = user;
    grant.app = &app;
    grant.tenantId = m_directory.issuingTenant(*user, m_directory.resolveTenant(device->tenantSegment));
    grant.scopes = scopes;
    grant.claims = form.value(u"claims"_s, device->claims);
    grant.clientInfo = form.value(u"client_info"_s) == u"1";
    grant.interactive = true;
    m_store.removeDevice(value); // device codes are single use
    return issue(context, grant);
}

HttpResponse TokenEndpoint::password(RequestContext &context, const Form &form, const App &app)
{
    const TenantPath &tenant = context.tenant;
    if (tenant.kind == TenantPath::Kind::Common || tenant.kind == TenantPath::Kind::Consumers) {
        return OAuthError(
                   400, u"invalid_request"_s, 9001023,
                   u"The grant type isn't supported over the /common or /consumers endpoints. Please use "
                   u"the /organizations or tenant-specific endpoint."_s)
            .toResponse(context.correlationId);
    }
    const QString username = form.value(u"username"_s);
    context.record.username = username;
    if (username.isEmpty())
        return missingParameter(context, u"username"_s);
    if (!form.contains(u"password"_s))
        return missingParameter(context, u"password"_s);
    if (form.value(u"scope"_s).trimmed().isEmpty())
        return missingParameter(context, u"scope"_s);
    const ScopeSet scopes = ScopeSet::parse(form.value(u"scope"_s));
    if (auto rejection = rejectMultipleResources(context, scopes))
        return *rejection;

    const User *user = m_directory.user(username);
    if (!user) {
        return OAuthError(
                   400, u"invalid_grant"_s, 50034,
                   u"The user account {EmailHidden} does not exist in the %1 directory. To sign into this "
                   u"application, the account must be added to the directory."_s.arg(tenant.segment))
            .toResponse(context.correlationId);
    }
    if (!m_directory.canSignIn(*user, tenant)) {
        return OAuthError(
                   400, u"invalid_grant"_s, 50020,
                   u"User account '{EmailHidden}' from identity provider does not exist in tenant '%1' and "
                   u"cannot access the application '%2' in that tenant."_s.arg(tenant.segment, app.clientId))
            .toResponse(context.correlationId);
    }
    // Federated passwords are checked by the user's own STS, which the sandbox does not run.
    if (user->federated || user->password != form.value(u"password"_s)) {
        return OAuthError(400, u"invalid_grant"_s, 50126,
                          u"Error validating credentials due to invalid username or password."_s)
            .toResponse(context.correlationId);
    }
    switch (user->passwordGrant) {
    case PasswordGrantOutcome::Ok:
        break;
    case PasswordGrantOutcome::MfaRequired:
        return OAuthError(
                   400, u"invalid_grant"_s, 50076,
                   u"Due to a configuration change made by your administrator, or because you moved to a "
                   u"new location, you must use multi-factor authentication to access '%1'."_s.arg(
                       resourceName(scopes)))
            .suberror(u"basic_action"_s)
            .claims(mfaClaimsChallenge())
            .toResponse(context.correlationId);
    case PasswordGrantOutcome::MfaRegistrationRequired:
        return OAuthError(
                   400, u"invalid_grant"_s, 50079,
                   u"Due to a configuration change made by your administrator, or because you moved to a "
                   u"new location, you must enroll in multi-factor authentication to access '%1'."_s.arg(
                       resourceName(scopes)))
            .suberror(u"additional_action"_s)
            .claims(mfaClaimsChallenge())
            .toResponse(context.correlationId);
    case PasswordGrantOutcome::ConsentRequired:
        return OAuthError(
                   400, u"invalid_grant"_s, 65001,
                   u"The user or administrator has not consented to use the application with ID '%1' named "
                   u"'%2'. Send an interactive authorization request for this user and resource."_s.arg(
                       app.clientId, app.name))
            .suberror(u"consent_required"_s)
            .toResponse(context.correlationId);
    }

    TokenIssuer::UserGrant grant;
    grant.user = user;
    grant.app = &app;
    grant.tenantId = m_directory.issuingTenant(*user, tenant);
    grant.scopes = scopes;
    grant.claims = form.value(u"claims"_s);
    grant.clientInfo = form.value(u"client_info"_s) == u"1";
    return issue(context, grant);
}

HttpResponse TokenEndpoint::refreshToken(RequestContext &context, const Form &form, const App &app)
{
    const QString value = form.value(u"refresh_token"_s);
    if (value.isEmpty())
        return missingParameter(context, u"refresh_token"_s);
    if (form.value(u"scope"_s).trimmed().isEmpty())
        return missingParameter(context, u"scope"_s);
    RefreshTokenGrant *refresh = m_store.refreshToken(value);
    if (!refresh) {
        return OAuthError(400, u"invalid_grant"_s, 9002313,
                          u"Invalid request. Request is malformed or invalid."_s)
            .toResponse(context.correlationId);
    }
    context.record.refreshTokenId = refresh->id;
    context.record.username = refresh->username;
    if (refresh->revoked) {
        return OAuthError(
                   400, u"invalid_grant"_s, 50173,
                   u"The provided grant has expired due to it being revoked, a fresh auth token is needed. "
                   u"The user might have changed or reset their password."_s)
            .toResponse(context.correlationId);
    }
    const bool sameClient = refresh->clientId.compare(app.clientId, Qt::CaseInsensitive) == 0;
    const bool sameFamily = !refresh->familyId.isEmpty() && refresh->familyId == app.family;
    if (!sameClient && !sameFamily) {
        return OAuthError(
                   400, u"invalid_grant"_s, 70000,
                   u"Provided grant is invalid or malformed: the refresh token was issued to a different "
                   u"client."_s)
            .suberror(u"client_mismatch"_s)
            .toResponse(context.correlationId);
    }
    const User *user = m_directory.user(refresh->username);
    if (!user) {
        return OAuthError(400, u"invalid_grant"_s, 50034, u"The user account no longer exists."_s)
            .toResponse(context.correlationId);
    }
    // Refresh tokens are not bound to a tenant; any tenant the user belongs to may redeem them.
    if (!m_directory.canSignIn(*user, context.tenant)) {
        return OAuthError(
                   400, u"invalid_grant"_s, 50020,
                   u"User account '{EmailHidden}' from identity provider does not exist in tenant '%1' and "
                   u"cannot access the application '%2' in that tenant."_s.arg(context.tenant.segment,
                                                                               app.clientId))
            .toResponse(context.correlationId);
    }
    const QString claims = form.value(u"claims"_s);
    if (const auto required = m_store.requiredClaims(user->username)) {
        if (claims.isEmpty()) {
            return OAuthError(
                       400, u"interaction_required"_s, 50076,
                       u"Due to a configuration change made by your administrator, or because you moved to "
                       u"a new location, you must use multi-factor authentication to access the resource."_s)
                .suberror(u"basic_action"_s)
                .claims(*required)
                .toResponse(context.correlationId);
        }
        m_store.clearRequiredClaims(user->username);
    }

    TokenIssuer::UserGrant grant;
    grant.user = user;
    grant.app = &app;
    grant.tenantId = m_directory.issuingTenant(*user, context.tenant);
    grant.scopes = ScopeSet::parse(form.value(u"scope"_s)).firstResourceOnly();
    grant.claims = claims;
    grant.clientInfo = form.value(u"client_info"_s) == u"1";
    refresh->superseded = true;
    ++refresh->redemptions;
    return issue(context, grant);
}

HttpResponse TokenEndpoint::clientCredentials(RequestContext &context, const Form &form, const App &app)
{
    if (app.isPublic) {
        return OAuthError(401, u"invalid_client"_s, 7000218,
                          u"The request body must contain the following parameter: 'client_assertion' or "
                          u"'client_secret'."_s)
            .toResponse(context.correlationId);
    }
    if (!context.tenant.isSpecific()) {
        return OAuthError(
                   400, u"invalid_request"_s, 900023,
                   u"Specified tenant identifier '%1' is not valid for the client credentials grant; use "
                   u"a tenant id or domain."_s.arg(context.tenant.segment))
            .toResponse(context.correlationId);
    }
    const QString scope = form.value(u"scope"_s);
    if (scope.trimmed().isEmpty())
        return missingParameter(context, u"scope"_s);
    const ScopeSet scopes = ScopeSet::parse(scope);
    bool allDefault = scopes.oidc.isEmpty() && !scopes.resourceScopes.isEmpty();
    for (const QString &item : scopes.resourceScopes)
        allDefault = allDefault && item.endsWith(u"/.default");
    if (!allDefault) {
        return OAuthError(
                   400, u"invalid_scope"_s, 1002012,
                   u"The provided value for scope %1 is not valid. Client credential flows must have a scope "
                   u"value with /.default suffixed to the resource identifier (application ID URI)."_s.arg(
                       scope))
            .toResponse(context.correlationId);
    }
    if (auto rejection = rejectMultipleResources(context, scopes))
        return *rejection;
    const QJsonObject body =
        m_issuer.issueForApp(app, context.tenant.tenant->id, scopes, form.value(u"claims"_s), context.origin);
    HttpResponse response = HttpResponse::json(200, body);
    response.setHeader("Pragma", "no-cache");
    return response;
}

HttpResponse TokenEndpoint::issue(RequestContext &context, TokenIssuer::UserGrant grant)
{
    grant.origin = context.origin;
    context.record.username = grant.user->username;
    const QJsonObject body = m_issuer.issueForUser(grant, &context.record.issuedRefreshTokenId);
    HttpResponse response = HttpResponse::json(200, body);
    response.setHeader("Pragma", "no-cache");
    return response;
}

} // namespace azid::sandbox
