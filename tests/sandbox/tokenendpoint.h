#pragma once

#include "clientassertion.h"
#include "directory.h"
#include "federatedcredentials.h"
#include "grantstore.h"
#include "httpresponse.h"
#include "requestcontext.h"
#include "settings.h"
#include "tokenissuer.h"

#include <QMap>
#include <QString>

namespace azid::sandbox {

// POST /{tenant}/oauth2/v2.0/token: client authentication, then one handler per grant type.
class TokenEndpoint
{
public:
    TokenEndpoint(const Directory &directory, GrantStore &store, const Settings &settings,
                  TokenIssuer &issuer);

    // Client assertions that an app's federated identity credentials vouch for (workload identity).
    void setFederatedCredentials(const FederatedCredentials *credentials) { m_federated = credentials; }
    HttpResponse handle(RequestContext &context);

private:
    using Form = QMap<QString, QString>;

    HttpResponse authorizationCode(RequestContext &context, const Form &form, const App &app);
    HttpResponse deviceCode(RequestContext &context, const Form &form, const App &app);
    HttpResponse password(RequestContext &context, const Form &form, const App &app);
    HttpResponse refreshToken(RequestContext &context, const Form &form, const App &app);
    HttpResponse clientCredentials(RequestContext &context, const Form &form, const App &app);
    // urn:ietf:params:oauth:grant-type:jwt-bearer with requested_token_use=on_behalf_of
    // (onbehalfofgrant.cpp).
    HttpResponse onBehalfOf(RequestContext &context, const Form &form, const App &app);

    // Issues user tokens and records the outcome; shared by all user grants.
    HttpResponse issue(RequestContext &context, TokenIssuer::UserGrant grant);

    const Directory &m_directory;
    GrantStore &m_store;
    const Settings &m_settings;
    TokenIssuer &m_issuer;
    ClientAssertionVerifier m_assertions;
    const FederatedCredentials *m_federated = nullptr;
};

} // namespace azid::sandbox
