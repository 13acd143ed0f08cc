#!/bin/sh
# Installed on first boot of the projects portal.
set -e
corepack enable
