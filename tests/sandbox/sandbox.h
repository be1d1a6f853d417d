#pragma once

#include "controlapi.h"
#include "directory.h"
#include "entraendpoints.h"
#include "faultinjector.h"
#include "federatedcredentials.h"
#include "grantstore.h"
#include "httprequest.h"
#include "httpresponse.h"
#include "jwtsigner.h"
#include "requestlog.h"
#include "responsegate.h"
#include "settings.h"
#include "tokenendpoint.h"
#include "tokenissuer.h"

namespace azid::sandbox {

// The authority as a whole: owns all state, routes each request to its endpoint, applies injected
// faults, records requests and logs one line per request.
class Sandbox
{
public:
    Sandbox(Directory directory, const Settings &settings, bool quiet);

    void setPort(quint16 port);
    bool isReady() const { return m_signer.isValid(); }
    HttpResponse handle(const HttpRequest &request);
    void logProtocolError(int status, const QByteArray &reason) const;

private:
    HttpResponse route(RequestContext &context);
    HttpResponse faultResponse(const Fault &fault, const RequestContext &context) const;
    // What a fault changes in an answer: its fields, an oversized body, a reset halfway through it.
    static void applyFault(const Fault &fault, HttpResponse &response);
    QString originFor(const HttpRequest &request) const;
    void logLine(const HttpRequest &request, int status) const;

    Directory m_directory;
    Settings m_settings;
    bool m_quiet;
    quint16 m_port = 0;
    GrantStore m_store;
    FaultInjector m_faults;
    RequestLog m_log;
    JwtSigner m_signer;
    TokenIssuer m_issuer;
    EntraEndpoints m_endpoints;
    TokenEndpoint m_tokenEndpoint;
    ControlApi m_control;
    FederatedCredentials m_federated;
    ResponseGate m_gate;
};

} // namespace azid::sandbox
