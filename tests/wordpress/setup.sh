#!/usr/bin/env bash
# Sets up a WordPress for casewire's tests on this machine, from Debian's `wordpress`,
# `mariadb-server` and PHP packages: a database and its user, Debian's per-host config for
# 127.0.0.1, the site installed, a user `casewire` with an application password (made by
# WordPress's own PHP API) written to $CASEWIRE_WP_PASSWORD_FILE. Safe to run again: each
# step keeps what is already there. Starts MariaDB when it is not running; the web server is
# the caller's (`.ci/run` starts PHP's own on 127.0.0.1:$CASEWIRE_WP_PORT, and the tests start
# their own beside it).
set -euo pipefail

port="${CASEWIRE_WP_PORT:-8098}"
password_file="${CASEWIRE_WP_PASSWORD_FILE:-/var/lib/casewire-wp/app-password}"
db=casewire_wp
db_user=casewire_wp
db_password=casewire_wp_local
here="$(cd "$(dirname "$0")" && pwd)"

if ! mysqladmin ping --silent >/dev/null 2>&1; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    (mysqld_safe --bind-address=127.0.0.1 >/dev/null 2>&1 &)
    for _ in $(seq 1 60); do
        mysqladmin ping --silent >/dev/null 2>&1 && break
        sleep 0.5
    done
    mysqladmin ping --silent >/dev/null
fi

mysql -u root <<SQL
CREATE DATABASE IF NOT EXISTS ${db};
CREATE USER IF NOT EXISTS '${db_user}'@'localhost' IDENTIFIED BY '${db_password}';
GRANT ALL PRIVILEGES ON ${db}.* TO '${db_user}'@'localhost';
FLUSH PRIVILEGES;
SQL

# Debian's wp-config.php reads /etc/wordpress/config-HOST.php, HOST without the port, so
# every test server on 127.0.0.1 finds this one.
mkdir -p /etc/wordpress /var/lib/wordpress/wp-content/uploads /var/lib/wordpress/wp-content/mu-plugins
cat > /etc/wordpress/config-127.0.0.1.php <<PHP
<?php
define('DB_NAME', '${db}');
define('DB_USER', '${db_user}');
define('DB_PASSWORD', '${db_password}');
define('DB_HOST', 'localhost');
define('WP_HOME', 'http://127.0.0.1:${port}');
define('WP_SITEURL', 'http://127.0.0.1:${port}');
define('WP_CONTENT_DIR', '/var/lib/wordpress/wp-content');
// Application passwords over plain http are offered only on a local site.
define('WP_ENVIRONMENT_TYPE', 'local');
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);
PHP
# WordPress refuses SVG uploads by default; a newsroom that wants the chart as its featured
# image allows them (a plugin, or this filter). The test site does, for its authors.
cp "$here/allow-svg.php" /var/lib/wordpress/wp-content/mu-plugins/casewire-allow-svg.php

mkdir -p "$(dirname "$password_file")"
CASEWIRE_WP_PORT="$port" CASEWIRE_WP_PASSWORD_FILE="$password_file" php "$here/install.php"
echo "WordPress for casewire's tests: http://127.0.0.1:${port}/ (password in ${password_file})"
