#pragma once

#include "directory.h"
#include "faultinjector.h"
#include "grantstore.h"
#include "httprequest.h"
#include "httpresponse.h"
#include "requestlog.h"
#include "settings.h"

#include <QJsonObject>

namespace azid::sandbox {

// The /_sandbox/ test-control API: fault injection, runtime settings, revocation, claims
// challenges, scripted device-code approval and the request log. Not part of Entra.
class ControlApi
{
public:
    ControlApi(const Directory &directory, GrantStore &store, Settings &settings, FaultInjector &faults,
               RequestLog &log);

    HttpResponse handle(const HttpRequest &request);

private:
    HttpResponse updateSettings(const QJsonObject &body);
    HttpResponse revoke(const QJsonObject &body);
    HttpResponse requireClaims(const QJsonObject &body);
    HttpResponse finishDevice(const QJsonObject &body, bool approve);
    QJsonObject settingsJson() const;
    QJsonArray refreshTokensJson() const;

    const Directory &m_directory;
    GrantStore &m_store;
    Settings &m_settings;
    FaultInjector &m_faults;
    RequestLog &m_log;
};

} // namespace azid::sandbox
