#pragma once

#include "azid/errors.h"

#include <utility>
#include <variant>

namespace azid {

// A value or the AuthError that prevented it. Errors are values here: nothing is thrown across the
// event loop. [[nodiscard]]: an ignored Result is an ignored error; a caller that means to ignore one
// says why and casts it to void.
template <typename T> class [[nodiscard]] Result
{
public:
    Result() : m_value(AuthError::authentication(QStringLiteral("No result was produced."))) {}
    Result(T value) : m_value(std::move(value)) {}
    Result(AuthError error) : m_value(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_value); }
    explicit operator bool() const { return ok(); }
    const T &value() const { return std::get<T>(m_value); }
    T &value() { return std::get<T>(m_value); }
    const AuthError &error() const { return std::get<AuthError>(m_value); }

private:
    std::variant<T, AuthError> m_value;
};

struct Done
{};
using VoidResult = Result<Done>;

} // namespace azid
