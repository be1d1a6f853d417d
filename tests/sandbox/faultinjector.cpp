#include "faultinjector.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

const QStringList &FaultInjector::endpointNames()
{
    static const QStringList names{u"token"_s,     u"devicecode"_s,  u"openid-configuration"_s,
                                   u"authorize"_s, u"userrealm"_s,   u"instance-discovery"_s,
                                   u"keys"_s,      u"devicelogin"_s, u"logout"_s,
                                   u"any"_s};
    return names;
}

std::optional<QString> FaultInjector::add(const QJsonObject &description)
{
    static const QStringList known{u"endpoint"_s,     u"status"_s, u"retry_after"_s, u"delay_ms"_s,
                                   u"malformed"_s,    u"count"_s,  u"hold"_s,        u"reset"_s,
                                   u"oversize_kib"_s, u"fields"_s};
    for (const QString &key : description.keys()) {
        if (!known.contains(key))
            return u"unknown fault field '%1'"_s.arg(key);
    }
    Fault fault;
    fault.endpoint = description.value(u"endpoint"_s).toString(u"any"_s);
    if (!endpointNames().contains(fault.endpoint))
        return u"endpoint must be one of: %1"_s.arg(endpointNames().join(u", "_s));
    fault.status = description.value(u"status"_s).toInt(0);
    fault.retryAfter = description.value(u"retry_after"_s).toInt(-1);
    fault.delayMs = description.value(u"delay_ms"_s).toInt(0);
    fault.malformed = description.value(u"malformed"_s).toBool(false);
    fault.hold = description.value(u"hold"_s).toBool(false);
    fault.remaining = description.value(u"count"_s).toInt(1);
    fault.reset = description.value(u"reset"_s).toBool(false);
    fault.oversizeKiB = description.value(u"oversize_kib"_s).toInt(0);
    fault.fields = description.value(u"fields"_s).toObject();
    if (fault.oversizeKiB < 0 || fault.oversizeKiB > 256 * 1024)
        return u"oversize_kib must be between 0 and 262144"_s;
    if (fault.status != 0 && (fault.status < 200 || fault.status > 599))
        return u"status must be an HTTP status code"_s;
    if (fault.delayMs < 0 || fault.delayMs > 600'000)
        return u"delay_ms must be between 0 and 600000"_s;
    if (fault.remaining < 1)
        return u"count must be at least 1"_s;
    if (fault.status == 0 && fault.delayMs == 0 && !fault.malformed && fault.retryAfter < 0 && !fault.hold &&
        !fault.reset && fault.oversizeKiB == 0 && fault.fields.isEmpty())
        return u"a fault needs status, delay_ms, malformed, retry_after, hold, reset, oversize_kib or fields"_s;
    m_faults.append(fault);
    return std::nullopt;
}

void FaultInjector::applyFields(const Fault &fault, QByteArray &jsonBody)
{
    if (fault.fields.isEmpty())
        return;
    QJsonObject object = QJsonDocument::fromJson(jsonBody).object();
    for (auto it = fault.fields.begin(); it != fault.fields.end(); ++it) {
        if (it.value().isNull())
            object.remove(it.key());
        else
            object.insert(it.key(), it.value());
    }
    jsonBody = QJsonDocument(object).toJson(QJsonDocument::Compact);
}

void FaultInjector::clear()
{
    m_faults.clear();
}

std::optional<Fault> FaultInjector::take(const QString &endpoint)
{
    for (qsizetype i = 0; i < m_faults.size(); ++i) {
        Fault &fault = m_faults[i];
        if (fault.endpoint != endpoint && fault.endpoint != u"any")
            continue;
        const Fault taken = fault;
        if (--fault.remaining <= 0)
            m_faults.removeAt(i);
        return taken;
    }
    return std::nullopt;
}

QJsonArray FaultInjector::toJson() const
{
    QJsonArray array;
    for (const Fault &fault : m_faults) {
        array.append(QJsonObject{{u"endpoint"_s, fault.endpoint},
                                 {u"status"_s, fault.status},
                                 {u"retry_after"_s, fault.retryAfter},
                                 {u"delay_ms"_s, fault.delayMs},
                                 {u"malformed"_s, fault.malformed},
                                 {u"hold"_s, fault.hold},
                                 {u"reset"_s, fault.reset},
                                 {u"oversize_kib"_s, fault.oversizeKiB},
                                 {u"fields"_s, fault.fields},
                                 {u"count"_s, fault.remaining}});
    }
    return array;
}

} // namespace azid::sandbox
