#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal of a given width and prints what a terminal would
show: the screen's rows, one per line, each between '|' marks, after the command exits.

usage: pty_screen.py COLUMNS COMMAND [ARGS...]

The terminal is a small model of xterm's: printable characters, carriage return, line feed
and automatic wrapping at the last column (a character written there leaves the cursor on
it until the next one, which starts a new row), so a line longer than the terminal ends up
on two rows and a carriage return goes back only to the start of the second. ESC [ K
(erase to the end of the line) is understood; any other escape sequence is an error, so
that a test notices what the model does not cover. Exits with the command's status.
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def run(columns, argv):
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    out = b""
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 120)
            if not ready:
                break
            data = os.read(fd, 65536)
        except OSError:  # EIO once the child has exited and the pty is drained
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    return out.decode("utf-8", "replace"), os.waitstatus_to_exitcode(status)


def render(text, columns):
    screen, row, col, pending = [[]], 0, 0, False

    def new_row():
        nonlocal row
        row += 1
        if row == len(screen):
            screen.append([])

    i = 0
    while i < len(text):
        ch = text[i]
        i += 1
        if ch == "\r":
            col, pending = 0, False
        elif ch == "\n":
            new_row()
            pending = False
        elif ch == "\x1b":
            if text.startswith("[K", i):
                del screen[row][col:]
                i += 2
            else:
                sys.exit("pty_screen.py: unknown escape sequence %r" % text[i - 1:i + 8])
        else:
            if pending:
                new_row()
                col, pending = 0, False
            line = screen[row]
            line.extend(" " * (col - len(line)))
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            if col == columns - 1:
                pending = True
            else:
                col += 1
    return ["".join(r) for r in screen]


def main():
    columns = int(sys.argv[1])
    text, status = run(columns, sys.argv[2:])
    for line in render(text, columns):
        print("|%s|" % line)
    sys.exit(status)


if __name__ == "__main__":
    main()
