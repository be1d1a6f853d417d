#pragma once

// What every fuzz target shares: the input as Qt bytes and text, a check that fails the run like a
// sanitizer finding (libFuzzer keeps the input as a crash-* file), and quiet logging (the parsers
// log what they refuse; at thousands of runs a second that output would be the whole cost).

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#define AZID_FUZZ_CHECK(condition)                                                                           \
    do {                                                                                                     \
        if (!(condition)) {                                                                                  \
            std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__);         \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (false)

namespace azid::fuzz {

inline QByteArray bytes(const std::uint8_t *data, std::size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

// A fixed "now" (2026-01-01T00:00:00Z), so that a crash reproduces on another day.
inline constexpr qint64 Now = 1767225600;

} // namespace azid::fuzz
