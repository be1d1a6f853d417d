// The on-behalf-of grant (urn:ietf:params:oauth:grant-type:jwt-bearer, requested_token_use=on_behalf_of):
// a middle-tier confidential app exchanges a user's access token issued to it for a token to another API.
#include "encoding.h"
#include "oautherror.h"
#include "tokenendpoint.h"

using namespace Qt::StringLiterals;

namespace azid::sandbox {

HttpResponse TokenEndpoint::onBehalfOf(RequestContext &context, const Form &form, const App &app)
{
    const auto reject = [&context](int status, const QString &error, int code, const QString &text) {
        return OAuthError(status, error, code, text).toResponse(context.correlationId);
    };
    if (app.isPublic) {
        return reject(401, u"invalid_client"_s, 7000218,
                      u"The request body must contain the following parameter: 'client_assertion' or "
                      u"'client_secret'."_s);
    }
    if (form.value(u"requested_token_use"_s) != u"on_behalf_of") {
        return reject(400, u"invalid_request"_s, 900144,
                      u"The request body must contain the following parameter: 'requested_token_use' with "
                      u"the value on_behalf_of (the sandbox supports no other jwt-bearer use)."_s);
    }
    const QString assertion = form.value(u"assertion"_s);
    if (assertion.isEmpty()) {
        return reject(400, u"invalid_request"_s, 900144,
                      u"The request body must contain the following parameter: 'assertion'."_s);
    }
    if (!context.tenant.isSpecific()) {
        return reject(
            400, u"invalid_request"_s, 900023,
            u"Specified tenant identifier '%1' is not valid for the on-behalf-of flow; use a tenant "
            u"id or domain."_s.arg(context.tenant.segment));
    }
    const std::optional<QJsonObject> claims = m_issuer.signer().verify(assertion.toUtf8());
    if (!claims) {
        return reject(
            400, u"invalid_grant"_s, 50013,
            u"Assertion failed signature validation. [Reason - The provided signature value did not "
            u"match the expected signature value.]"_s);
    }
    if (claims->value(u"exp"_s).toInteger() <= encoding::nowSecs()) {
        return reject(400, u"invalid_grant"_s, 500133,
                      u"Assertion is not within its valid time range. Ensure that the access token is not "
                      u"expired before using it for user assertion, or request a new token."_s);
    }
    const QString audience = claims->value(u"aud"_s).toString();
    if (audience.compare(app.clientId, Qt::CaseInsensitive) != 0 &&
        audience.compare(u"api://"_s + app.clientId, Qt::CaseInsensitive) != 0) {
        return reject(400, u"invalid_grant"_s, 50013,
                      u"Assertion failed signature validation. [Reason - Assertion audience '%1' does not "
                      u"match the Client app presenting the assertion '%2' (expected the client id or "
                      u"api://client-id).]"_s.arg(audience, app.clientId));
    }
    const User *user = m_directory.user(claims->value(u"upn"_s).toString());
    if (!user) {
        return reject(400, u"invalid_grant"_s, 50013,
                      u"Assertion failed signature validation. [Reason - The assertion names no user of the "
                      u"directory; app-only tokens cannot be exchanged on behalf of a user.]"_s);
    }
    context.record.username = user->username;
    if (!m_directory.canSignIn(*user, context.tenant)) {
        return reject(
            400, u"invalid_grant"_s, 50020,
            u"User account '{EmailHidden}' from identity provider does not exist in tenant '%1' and "
            u"cannot access the application '%2' in that tenant."_s.arg(context.tenant.segment,
                                                                        app.clientId));
    }
    const QString scope = form.value(u"scope"_s);
    if (scope.trimmed().isEmpty()) {
        return reject(400, u"invalid_request"_s, 900144,
                      u"The request body must contain the following parameter: 'scope'."_s);
    }
    const ScopeSet scopes = ScopeSet::parse(scope);
    if (scopes.resources.size() > 1) {
        return reject(
            400, u"invalid_scope"_s, 700022,
            u"The provided value for the input parameter scope is not valid because it contains "
            u"more than one resource. Scope %1 is not valid."_s.arg(scopes.resourceScopes.join(u' ')));
    }

    TokenIssuer::UserGrant grant;
    grant.user = user;
    grant.app = &app;
    grant.tenantId = m_directory.issuingTenant(*user, context.tenant);
    grant.scopes = scopes;
    grant.claims = form.value(u"claims"_s);
    grant.clientInfo = form.value(u"client_info"_s) == u"1";
    return issue(context, grant);
}

} // namespace azid::sandbox
