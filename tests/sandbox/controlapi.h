#pragma once

#include "directory.h"
#include "faultinjector.h"
#include "federatedcredentials.h"
#include "grantstore.h"
#include "httprequest.h"
#include "httpresponse.h"
#include "requestlog.h"
#include "responsegate.h"
#include "settings.h"

#include <QJsonObject>

namespace azid::sandbox {

// The /_sandbox/ test-control API: fault injection, runtime settings, revocation, claims
// challenges, scripted device-code approval and the request log. Not part of Entra.
class ControlApi
{
public:
    ControlApi(Directory &directory, GrantStore &store, Settings &settings, FaultInjector &faults,
               RequestLog &log);

    HttpResponse handle(const HttpRequest &request);
    // Serves /_sandbox/federated-credentials.
    void setFederatedCredentials(FederatedCredentials *credentials) { m_federated = credentials; }
    // Serves /_sandbox/held and /_sandbox/release.
    void setResponseGate(ResponseGate *gate) { m_gate = gate; }

private:
    HttpResponse updateSettings(const QJsonObject &body);
    HttpResponse revoke(const QJsonObject &body);
    HttpResponse requireClaims(const QJsonObject &body);
    HttpResponse finishDevice(const QJsonObject &body, bool approve);
    HttpResponse registerApp(const QJsonObject &body);
    QJsonObject settingsJson() const;
    QJsonArray refreshTokensJson() const;

    Directory &m_directory;
    GrantStore &m_store;
    Settings &m_settings;
    FaultInjector &m_faults;
    RequestLog &m_log;
    FederatedCredentials *m_federated = nullptr;
    ResponseGate *m_gate = nullptr;
};

} // namespace azid::sandbox
