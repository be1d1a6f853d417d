#pragma once

#include "azid/clock.h"

#include <QDateTime>

#include <atomic>

namespace azid::test {

// A clock that tests move forward to make tokens age without waiting.
class FakeClock final : public Clock
{
public:
    FakeClock() : m_now(QDateTime::currentSecsSinceEpoch()) {}
    qint64 now() const override { return m_now.load(); }
    void advance(qint64 seconds) { m_now += seconds; }
    void set(qint64 epoch) { m_now = epoch; }

private:
    std::atomic<qint64> m_now;
};

} // namespace azid::test
