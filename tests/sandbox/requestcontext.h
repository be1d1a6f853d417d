#pragma once

#include "directory.h"
#include "httprequest.h"
#include "requestlog.h"

#include <QString>

namespace azid::sandbox {

// What every endpoint handler gets: the request, how the client addressed the sandbox, and the
// log record it fills in as it learns more (grant type, client id, ...).
struct RequestContext
{
    const HttpRequest &http;
    QString origin;        // "https://127.0.0.1:PORT" or "https://localhost:PORT", as the client used
    QString correlationId; // the client-request-id header, or a fresh GUID
    TenantPath tenant;     // resolved first path segment, for tenant-scoped endpoints
    RequestRecord &record;
};

} // namespace azid::sandbox
