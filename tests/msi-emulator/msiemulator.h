#pragma once

#include "httprequest.h"
#include "httpresponse.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QSet>
#include <QString>

#include <optional>

namespace azid::msiemulator {

using sandbox::HttpRequest;
using sandbox::HttpResponse;

// A user-assigned (or the system-assigned) identity the endpoints know.
struct Identity
{
    QString clientId;
    QString objectId;
    QString resourceId;
};

struct Settings
{
    QByteArray identityHeader =
        "azid-msi-emulator-identity-header";               // App Service X-IDENTITY-HEADER, SF Secret
    QByteArray msiSecret = "azid-msi-emulator-msi-secret"; // Azure ML "secret"
    QByteArray systemAccessToken = "azid-msi-emulator-system-access-token"; // Pipelines Bearer token
    QString serviceConnectionId;                                            // empty: any
    QByteArray oidcToken; // what the Pipelines endpoint hands out
    int expiresIn = 86399;
    QString expiresOnFormat = QStringLiteral("string"); // string | number | date | date12h
    bool systemAssigned = true;
    QList<Identity> userAssigned;
    bool arcEchoIdentity = true;

    static Settings defaults();
};

// A scripted answer for the next request(s) to one source.
struct Fault
{
    QString source; // imds, appservice, arc, cloudshell, servicefabric, azureml, pipelines, any
    int status = 0; // 0: answer normally (with delay / Retry-After only)
    QByteArray body;
    QByteArray contentType;
    QList<QPair<QByteArray, QByteArray>> headers;
    int retryAfter = -1;
    int delayMs = 0;
    bool malformed = false;
    int remaining = 1;
};

// What the emulator remembers of a request: never a secret (only whether the secret matched).
struct RequestRecord
{
    QString method;
    QString path;
    QString source;
    QString apiVersion;
    QString resource;
    QJsonObject identity; // the identity parameters sent, by name
    bool metadata = false;
    QString secret;        // the source's secret header: valid, invalid or missing
    QString authorization; // the Authorization scheme sent (basic, bearer) or empty
    bool fedAuthRedirectSuppressed = false;
    QString serviceConnectionId;
    QString tokenSha256ToRefresh;
    QString contentType;
    int status = 0;
    bool fault = false;
    qint64 timeMs = 0;

    QJsonObject toJson() const;
};

// The managed identity endpoints of every hosting environment azure.identity supports, plus Azure
// Pipelines' OIDC endpoint, for tests: plain HTTP (Service Fabric and, optionally, Pipelines over
// TLS), answers in each platform's shape, scripted failures and a request log. See README.md.
class MsiEmulator
{
public:
    MsiEmulator(QString arcKeyDirectory, bool quiet);

    HttpResponse handle(const HttpRequest &request, bool tls);
    void logProtocolError(int status, const QByteArray &reason) const;

private:
    HttpResponse route(const HttpRequest &request, bool tls, RequestRecord &record);
    HttpResponse control(const HttpRequest &request);
    HttpResponse faultResponse(const Fault &fault) const;

    // IMDS, and Arc, which speaks IMDS's protocol after a challenge with a key file.
    HttpResponse imdsProtocolToken(const HttpRequest &request, RequestRecord &record);
    // Nothing when the request presents a key this emulator wrote (good for one request), else the
    // challenge: 401 naming a new key file.
    std::optional<HttpResponse> arcKeyChallenge(const HttpRequest &request, RequestRecord &record);
    // App Service and Azure ML, which differ only in names and messages.
    HttpResponse secretHeaderSourceToken(const HttpRequest &request, RequestRecord &record);
    HttpResponse cloudShell(const HttpRequest &request, RequestRecord &record);
    HttpResponse serviceFabric(const HttpRequest &request, RequestRecord &record);
    HttpResponse pipelines(const HttpRequest &request, RequestRecord &record);

    // The identity the parameters name (each name given counts); nullopt and *error when none or
    // several match, or when an unknown one is asked for.
    std::optional<Identity> findIdentity(const QMap<QString, QString> &parameters,
                                         const QStringList &clientIdNames, const QStringList &objectIdNames,
                                         const QStringList &resourceIdNames, RequestRecord &record,
                                         QString *error) const;
    QString mintToken(const QString &source, const QString &resource, const Identity &identity,
                      qint64 expiresOn);
    QJsonValue formatExpiresOn(qint64 expiresOn) const;
    // A token for `identity` in the fields every source answers with (access_token, expires_on,
    // resource, token_type); `withLifetime` adds expires_in and not_before (IMDS, Arc, Cloud Shell).
    QJsonObject tokenAnswer(const RequestRecord &record, const Identity &identity, bool withLifetime);

    std::optional<QString> addFault(const QJsonObject &description);
    std::optional<QString> updateSettings(const QJsonObject &body);
    QJsonObject settingsJson() const;

    QString m_arcKeyDirectory;
    bool m_quiet;
    Settings m_settings;
    QList<Fault> m_faults;
    QList<RequestRecord> m_log;
    QSet<QString> m_arcKeyFiles; // the key files this emulator wrote, so stale ones are refused
};

} // namespace azid::msiemulator
