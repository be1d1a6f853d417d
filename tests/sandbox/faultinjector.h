#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace azid::sandbox {

struct Fault
{
    QString endpoint; // one of FaultInjector::endpointNames()
    int status = 0;   // 0: answer normally (useful with delayMs alone)
    int retryAfter = -1;
    int delayMs = 0;
    bool malformed = false;
    bool hold = false;   // the answer waits for POST /_sandbox/release
    bool reset = false;  // the connection is reset halfway through the answer's body
    int oversizeKiB = 0; // 0, or: a 200 answer with a JSON body of this many KiB
    QJsonObject fields;  // changes to a 200 JSON answer's members; null removes one
    int remaining = 1;
};

// Scripted failures for upcoming authority requests, consumed in the order they were added.
class FaultInjector
{
public:
    static const QStringList &endpointNames();

    // Validates a POST /_sandbox/faults body; returns an error message or adds the fault.
    std::optional<QString> add(const QJsonObject &description);
    // The answer with `fault.fields` applied (a 200 JSON object answer only).
    static void applyFields(const Fault &fault, QByteArray &jsonBody);
    void clear();
    // Takes one use of the first fault matching this endpoint (or "any").
    std::optional<Fault> take(const QString &endpoint);
    QJsonArray toJson() const;

private:
    QList<Fault> m_faults;
};

} // namespace azid::sandbox
