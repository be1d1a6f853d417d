#pragma once

#include <QtGlobal>

namespace azid {

// Time as the library sees it: epoch seconds. Tests substitute a clock they can move.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 now() const = 0;

    // The wall clock, shared by every credential that is not given another.
    static const Clock &system();
};

} // namespace azid
