#pragma once

#include <QList>
#include <QObject>
#include <QPointer>

#include <algorithm>
#include <functional>
#include <utility>

namespace azid::sandbox {

// Answers held back by a "hold" fault until the test-control API lets them go
// (POST /_sandbox/release), so that a test can act while a client waits for an answer, without
// guessing how long to wait. Header-only: HttpConnection, which azid-msi-emulator shares, uses it.
class ResponseGate
{
public:
    // `deliver` runs on release, unless `connection` is gone by then (the client gave up).
    void hold(QObject *connection, std::function<void()> deliver)
    {
        m_waiting.append({connection, std::move(deliver)});
    }

    // Answers waiting now (from connections still open).
    int held() const
    {
        return static_cast<int>(std::count_if(m_waiting.begin(), m_waiting.end(),
                                              [](const Waiting &w) { return !w.connection.isNull(); }));
    }

    // Lets every waiting answer go; returns how many.
    int release()
    {
        const QList<Waiting> waiting = std::exchange(m_waiting, {});
        int released = 0;
        for (const Waiting &w : waiting) {
            if (w.connection.isNull())
                continue;
            ++released;
            w.deliver();
        }
        return released;
    }

private:
    struct Waiting
    {
        QPointer<QObject> connection;
        std::function<void()> deliver;
    };
    QList<Waiting> m_waiting;
};

} // namespace azid::sandbox
