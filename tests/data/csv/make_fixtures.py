"""Writes the CSV and libsvm fixture files of tests/unit/test_csv.c.

Run from anywhere: /usr/bin/python3 tests/data/csv/make_fixtures.py
Each file exercises one rule of docs/formats.md; bytes are written exactly
(CRLF, a byte-order mark, NUL) so the files do not depend on an editor.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

FILES = {
    # BOM, CRLF line ends, comma delimiter, quoted numbers with spaces.
    "crlf_bom.csv": b'\xef\xbb\xbfx,y,label\r\n1,2.5,a\r\n" 3 ",-4e2,b\r\n5, 6 ,a\r\n',
    # Semicolon and tab delimiters are sniffed from the header.
    "semicolon.csv": b"a;b;c\n1,5;x;2\n3;y;4\n",
    "tab.tsv": b"a\tb\tc d\n1\tx y\t2\n3\tz\t4\n",
    # One of each candidate in the header: the tie goes to ','.
    "tie.csv": b"a;b,c|d\tx\n1;2,3|4\t5\n",
    # Quoting: embedded delimiter, "" escape, embedded newline (CRLF too), a
    # quote inside an unquoted field taken literally; later rows keep their lines.
    "quoted.csv": (b'id,text,n\n'
                   b'1,"a,b",10\n'
                   b'2,"say ""hi""",20\n'
                   b'3,"two\nlines",30\n'
                   b'4,"three\r\nlines\nhere",40\n'
                   b'\n'
                   b'5,5"3 inch,50\n'),
    # Every missing marker, with surrounding spaces, in a numeric and a text column.
    "missing.csv": (b"num,cat\n"
                    b"1,a\n,\nNA,NA\n N/A ,N/A\nNaN,NaN\nnan,nan\nnull,null\nNULL,NULL\nNone,None\n ? ,?\n"
                    b'"",""\n2,b\n'),
    # Types: numeric, text, forced, numbers before text (exact text kept), a
    # column where text is 50% (categorical, not a typo).
    "types.csv": (b"num,color,zip,size,half\n"
                  b"1.5,red,02134,007,1\n"
                  b"2,blue,10001,8,x\n"
                  b"-3e-2,red,02134,large,2\n"
                  b"4,green,90210,7.0,y\n"),
    # 12 numbers and one text token: a typo, reported at line 11 column 2.
    "typo.csv": (b"id,value\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(1, 10)) +
                 b"10,1O.5\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(11, 14))),
    # 9 numbers and one text token: too few numbers for a typo, so categorical.
    # A long typo token is quoted cut to 32 bytes.
    "typo_long.csv": (b"v\n" + b"".join(b"%d\n" % i for i in range(20)) + b"x" * 50 + b"\n"),
    # Numbers the fast path and strtod must both get exactly right, and forms
    # that are not numbers.
    "numbers.csv": (b"v,bad\n"
                    b"0.1,1e\n1e-300,e5\n123456789012345678901234,.\n4.9e-324,1.2.3\n"
                    b"1.7976931348623157e308,0x10\n.5,--1\n5.,1e+\n-0,1 2\n+3,+\n1e22,-\n1e23,abc\n"
                    b"9007199254740993,x\n0.000000000000000000000000000001234,y\n 42 ,z\n"),
    "few_numbers.csv": b"v\n" + b"".join(b"%d\n" % i for i in range(9)) + b"n/a\n",
    "inf.csv": b"a,b\n1,2\n3,-Infinity\n",
    "overflow.csv": b"a,b\n1,2\n3,4\n5,1e999\n",
    "ragged.csv": b"a,b,c\n1,2,3\n4,5\n",
    "unterminated.csv": b'a,b\n1,2\n3,"never\nclosed\n',
    "empty.csv": b"",
    "header_only.csv": b"a,b,c\r\n",
    "dup_name.csv": b"a,b,a\n1,2,3\n",
    "empty_name.csv": b"a,  ,c\n1,2,3\n",
    "nul.csv": b"a,b\n1,2\n3,\x004\n",
    "control.csv": b"a,b\n1,\x1b[2\n",
    # libsvm
    "good.svm": (b"# a comment line\n"
                 b"1 1:0.5 3:-2 # trailing comment\n"
                 b"\n"
                 b"-1 2:1e-3\r\n"
                 b"0\n"
                 b"2.5 4:7"),
    "svm_order.svm": b"1 1:1 3:2\n0 2:1 2:4\n",
    "svm_zero.svm": b"1 0:1\n",
    "svm_badval.svm": b"1 1:1\n0 1:x\n",
    "svm_badlabel.svm": b"1 1:1\nyes 1:2\n",
    "svm_nocolon.svm": b"1 1:1 7\n",
}

for name, data in FILES.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
