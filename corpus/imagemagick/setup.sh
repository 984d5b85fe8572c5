#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# photo.jpg: 1024x768 of plasma, fixed seed (drawn natively, once).
convert -seed 1 -size 1024x768 plasma:green-blue -quality 90 "$CORPUS_DATA/photo.jpg"
