#include "workloads/flat_json.hpp"

#include <stdexcept>

namespace cs {

namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  void object(std::vector<FlatJsonMember>& members) {
    members.clear();
    skip_space();
    expect('{');
    skip_space();
    if (peek() == '}') {
      ++i_;
    } else {
      for (;;) {
        skip_space();
        if (peek() != '"') fail("expected a key in double quotes");
        FlatJsonMember member;
        member.key = string();
        for (const auto& m : members) {
          if (m.key == member.key) fail("duplicate key \"" + member.key + "\"");
        }
        skip_space();
        expect(':');
        skip_space();
        value(member.value);
        members.push_back(std::move(member));
        skip_space();
        if (peek() == ',') {
          ++i_;
          continue;
        }
        expect('}');
        break;
      }
    }
    skip_space();
    if (i_ != s_.size()) fail("text after the object");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument("bad JSON: " + what + " at column " + std::to_string(i_ + 1));
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  void value(FlatJsonValue& v) {
    const char c = peek();
    if (c == '"') {
      v.kind = FlatJsonKind::kString;
      v.text = string();
    } else if (c == '[') {
      v.kind = FlatJsonKind::kNumberArray;
      ++i_;
      skip_space();
      if (peek() == ']') {
        ++i_;
        return;
      }
      for (;;) {
        skip_space();
        if (peek() == '[' || peek() == '{') fail("nested values are not supported");
        if (peek() != '-' && !(peek() >= '0' && peek() <= '9')) fail("arrays may hold numbers only");
        v.numbers.push_back(number());
        skip_space();
        if (peek() == ',') {
          ++i_;
          continue;
        }
        expect(']');
        return;
      }
    } else if (c == '{') {
      fail("nested objects are not supported");
    } else if (literal("true")) {
      v.kind = FlatJsonKind::kBool;
      v.boolean = true;
    } else if (literal("false")) {
      v.kind = FlatJsonKind::kBool;
    } else if (literal("null")) {
      v.kind = FlatJsonKind::kNull;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = FlatJsonKind::kNumber;
      v.number = number();
    } else {
      fail("expected a value");
    }
  }

  // JSON number grammar (RFC 8259 §6): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::string_view number() {
    const std::size_t start = i_;
    auto digit = [&] { return peek() >= '0' && peek() <= '9'; };
    if (peek() == '-') ++i_;
    if (peek() == '0') {
      ++i_;
    } else if (digit()) {
      while (digit()) ++i_;
    } else {
      fail("bad number");
    }
    if (peek() == '.') {
      ++i_;
      if (!digit()) fail("bad number");
      while (digit()) ++i_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      if (!digit()) fail("bad number");
      while (digit()) ++i_;
    }
    return s_.substr(start, i_ - start);
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  unsigned hex4() {
    unsigned code = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = peek();
      unsigned d = 0;
      if (h >= '0' && h <= '9') d = static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') d = static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') d = static_cast<unsigned>(h - 'A' + 10);
      else fail("bad \\u escape");
      code = code * 16 + d;
      ++i_;
    }
    return code;
  }

  std::string string() {
    expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const char e = peek();
      ++i_;
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          unsigned code = hex4();
          if (code >= 0xD800 && code < 0xDC00) {  // a surrogate pair encodes one code point
            if (!literal("\\u")) fail("lone surrogate");
            const unsigned low = hex4();
            if (low < 0xDC00 || low >= 0xE000) fail("lone surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code < 0xE000) {
            fail("lone surrogate");
          }
          append_utf8(out, code);
          break;
        }
        default:
          --i_;
          fail("bad escape");
      }
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

void parse_flat_json_object(std::string_view line, std::vector<FlatJsonMember>& members) {
  Parser(line).object(members);
}

}  // namespace cs
