#include "controlapi.h"

#include "httpserver.h"

#include "appregistration.h"
#include "encoding.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

HttpResponse failure(int status, const QString &message)
{
    return HttpResponse::json(status, QJsonObject{{u"error"_s, message}});
}

HttpResponse ok(QJsonObject body = {})
{
    body.insert(u"ok"_s, true);
    return HttpResponse::json(200, body);
}

} // namespace

ControlApi::ControlApi(Directory &directory, GrantStore &store, Settings &settings, FaultInjector &faults,
                       RequestLog &log)
    : m_directory(directory), m_store(store), m_settings(settings), m_faults(faults), m_log(log)
{}

HttpResponse ControlApi::handle(const HttpRequest &request)
{
    const QString route = request.pathSegments.mid(1).join(u'/');
    const QByteArray &method = request.method;

    QJsonObject body;
    if (method == "POST") {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
        if (!request.body.trimmed().isEmpty() && !document.isObject())
            return failure(400, u"the body must be a JSON object: %1"_s.arg(error.errorString()));
        body = document.object();
    }

    if (route == u"faults") {
        if (method == "POST") {
            if (const auto problem = m_faults.add(body))
                return failure(400, *problem);
            return ok({{u"faults"_s, m_faults.toJson()}});
        }
        if (method == "DELETE") {
            m_faults.clear();
            return ok();
        }
        if (method == "GET")
            return HttpResponse::json(200, m_faults.toJson());
    } else if (route == u"settings") {
        if (method == "POST")
            return updateSettings(body);
        if (method == "GET")
            return HttpResponse::json(200, settingsJson());
    } else if (route == u"revoke" && method == "POST") {
        return revoke(body);
    } else if (route == u"require-claims" && method == "POST") {
        return requireClaims(body);
    } else if (route == u"device/approve" && method == "POST") {
        return finishDevice(body, true);
    } else if (route == u"device/decline" && method == "POST") {
        return finishDevice(body, false);
    } else if (route == u"connections" && method == "GET") {
        return HttpResponse::json(200, QJsonObject{{u"tls_handshakes"_s, HttpServer::tlsHandshakes()}});
    } else if (route == u"requests") {
        if (method == "GET")
            return HttpResponse::json(200, m_log.toJson());
        if (method == "DELETE") {
            m_log.clear();
            HttpServer::resetTlsHandshakes();
            return ok();
        }
    } else if (route == u"apps") {
        if (method == "POST")
            return registerApp(body);
        if (method == "GET") {
            QJsonArray apps;
            for (const App &app : m_directory.apps())
                apps.append(appregistration::toJson(app));
            return HttpResponse::json(200, apps);
        }
    } else if (route == u"federated-credentials" && m_federated) {
        if (method == "POST") {
            if (const auto problem = m_federated->add(body, m_directory))
                return failure(400, *problem);
            return ok({{u"federated_credentials"_s, m_federated->toJson()}});
        }
        if (method == "GET")
            return HttpResponse::json(200, m_federated->toJson());
        if (method == "DELETE") {
            m_federated->clear();
            return ok();
        }
    } else if (route == u"held" && method == "GET" && m_gate) {
        return HttpResponse::json(200, QJsonObject{{u"held"_s, m_gate->held()}});
    } else if (route == u"release" && method == "POST" && m_gate) {
        return ok({{u"released"_s, m_gate->release()}});
    } else if (route == u"refresh-tokens" && method == "GET") {
        return HttpResponse::json(200, refreshTokensJson());
    }
    return failure(404, u"no control endpoint %1 /_sandbox/%2"_s.arg(QString::fromLatin1(method), route));
}

HttpResponse ControlApi::updateSettings(const QJsonObject &body)
{
    // Validate everything first so a bad request changes nothing.
    Settings updated = m_settings;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const QString &key = it.key();
        const QJsonValue &value = it.value();
        auto seconds = [&](int minimum, int &target) -> bool {
            if (!value.isDouble() || value.toDouble() != double(value.toInt()) || value.toInt() < minimum)
                return false;
            target = value.toInt();
            return true;
        };
        bool valid = false;
        if (key == u"access_token_lifetime")
            valid = seconds(1, updated.accessTokenLifetime);
        else if (key == u"refresh_in")
            valid = seconds(0, updated.refreshIn);
        else if (key == u"device_interval")
            valid = seconds(0, updated.deviceInterval);
        else if (key == u"device_expires")
            valid = seconds(1, updated.deviceExpires);
        else if (key == u"code_lifetime")
            valid = seconds(1, updated.codeLifetime);
        else if ((key == u"auto_approve" || key == u"slow_down") && value.isBool()) {
            (key == u"auto_approve" ? updated.autoApprove : updated.slowDown) = value.toBool();
            valid = true;
        }
        if (!valid)
            return failure(400, u"unknown setting or invalid value for '%1'"_s.arg(key));
    }
    m_settings = updated;
    return ok(settingsJson());
}

QJsonObject ControlApi::settingsJson() const
{
    return QJsonObject{{u"access_token_lifetime"_s, m_settings.accessTokenLifetime},
                       {u"refresh_in"_s, m_settings.refreshIn},
                       {u"auto_approve"_s, m_settings.autoApprove},
                       {u"slow_down"_s, m_settings.slowDown},
                       {u"device_interval"_s, m_settings.deviceInterval},
                       {u"device_expires"_s, m_settings.deviceExpires},
                       {u"code_lifetime"_s, m_settings.codeLifetime}};
}

HttpResponse ControlApi::revoke(const QJsonObject &body)
{
    const User *user = m_directory.user(body.value(u"username"_s).toString());
    if (!user)
        return failure(404, u"unknown username"_s);
    return ok({{u"revoked"_s, m_store.revokeRefreshTokens(user->username)}});
}

HttpResponse ControlApi::requireClaims(const QJsonObject &body)
{
    const User *user = m_directory.user(body.value(u"username"_s).toString());
    if (!user)
        return failure(404, u"unknown username"_s);
    const QString claims = body.value(u"claims"_s).toString();
    if (!QJsonDocument::fromJson(claims.toUtf8()).isObject())
        return failure(400, u"claims must be a string holding a JSON object"_s);
    m_store.requireClaims(user->username, claims);
    return ok();
}

HttpResponse ControlApi::finishDevice(const QJsonObject &body, bool approve)
{
    DeviceAuthorization *device = m_store.deviceByUserCode(body.value(u"user_code"_s).toString());
    if (!device)
        return failure(404, u"unknown user_code"_s);
    if (device->expiresAtMs <= encoding::nowMs())
        return failure(409, u"the device code has expired"_s);
    if (device->state != DeviceAuthorization::State::Pending)
        return failure(409, u"the device code was already approved or declined"_s);
    if (!approve) {
        device->state = DeviceAuthorization::State::Declined;
        return ok();
    }
    const QString username = body.value(u"username"_s).toString();
    const User *user = username.isEmpty() ? m_directory.defaultUser() : m_directory.user(username);
    if (!user)
        return failure(404, u"unknown username"_s);
    if (!m_directory.canSignIn(*user, m_directory.resolveTenant(device->tenantSegment)))
        return failure(400, u"%1 cannot sign in at tenant %2"_s.arg(user->username, device->tenantSegment));
    device->state = DeviceAuthorization::State::Approved;
    device->username = user->username;
    return ok({{u"username"_s, user->username}});
}

HttpResponse ControlApi::registerApp(const QJsonObject &body)
{
    QString problem;
    const std::optional<App> app = appregistration::fromJson(body, &problem);
    if (!app)
        return failure(400, problem);
    if (!m_directory.addApp(*app))
        return failure(409, u"an app with client_id %1 exists already"_s.arg(app->clientId));
    return ok(appregistration::toJson(*app));
}

QJsonArray ControlApi::refreshTokensJson() const
{
    QJsonArray array;
    for (const RefreshTokenGrant &grant : m_store.refreshTokenGrants()) {
        array.append(QJsonObject{{u"id"_s, grant.id},
                                 {u"username"_s, grant.username},
                                 {u"client_id"_s, grant.clientId},
                                 {u"family"_s, grant.familyId},
                                 {u"scope"_s, grant.scopes.join(u' ')},
                                 {u"issued_ms"_s, grant.issuedAtMs},
                                 {u"revoked"_s, grant.revoked},
                                 {u"superseded"_s, grant.superseded},
                                 {u"redemptions"_s, grant.redemptions}});
    }
    return array;
}

} // namespace azid::sandbox
