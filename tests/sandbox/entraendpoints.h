#pragma once

#include "directory.h"
#include "grantstore.h"
#include "httpresponse.h"
#include "jwtsigner.h"
#include "requestcontext.h"
#include "settings.h"

#include <QList>
#include <QPair>
#include <QString>

namespace azid::sandbox {

// The Entra endpoints other than /token: discovery documents, user realm, the authorize and
// device-login browser flows, and device code issuance.
class EntraEndpoints
{
public:
    EntraEndpoints(const Directory &directory, GrantStore &store, const Settings &settings,
                   const JwtSigner &signer);

    void setPort(quint16 port) { m_port = port; }

    HttpResponse openIdConfiguration(RequestContext &context) const;
    HttpResponse keys(RequestContext &context) const;
    HttpResponse instanceDiscovery(RequestContext &context) const;
    HttpResponse userRealm(RequestContext &context, const QString &username) const;
    HttpResponse authorize(RequestContext &context);
    HttpResponse signInSubmitted(RequestContext &context);
    HttpResponse consentSubmitted(RequestContext &context);
    HttpResponse deviceCode(RequestContext &context);
    HttpResponse deviceLoginPage(RequestContext &context) const;
    HttpResponse deviceLoginSubmitted(RequestContext &context);
    HttpResponse logout(RequestContext &context) const;

private:
    using Parameters = QList<QPair<QString, QString>>;

    HttpResponse redirectToClient(const AuthorizeRequest &request, Parameters parameters) const;
    HttpResponse redirectError(const RequestContext &context, const AuthorizeRequest &request,
                               const QString &error, int aadsts, const QString &text) const;
    HttpResponse redirectWithCode(const AuthorizeRequest &request, const User &user);
    HttpResponse signInPage(const InteractionSession &session, const QString &username,
                            const QString &error) const;
    QString appName(const QString &clientId) const;
    Parameters testAccounts() const;

    const Directory &m_directory;
    GrantStore &m_store;
    const Settings &m_settings;
    const JwtSigner &m_signer;
    quint16 m_port = 0;
};

} // namespace azid::sandbox
