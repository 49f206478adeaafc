<?php
// Installs the test site once, makes the user `casewire` (an author) once, and gives it an
// application password through WordPress's own API, written to the password file. Run by
// setup.sh with PHP's command line; every step keeps what is already there.
$_SERVER['HTTP_HOST'] = '127.0.0.1';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require_once '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/user.php';

if (!is_blog_installed()) {
    wp_install('casewire test site', 'admin', 'admin@example.invalid', false, '', wp_generate_password(24));
}
$user = get_user_by('login', 'casewire');
if (!$user) {
    $id = wp_insert_user([
        'user_login' => 'casewire',
        'user_pass' => wp_generate_password(24),
        'user_email' => 'casewire@example.invalid',
        'role' => 'editor',
    ]);
    if (is_wp_error($id)) {
        fwrite(STDERR, $id->get_error_message() . "\n");
        exit(1);
    }
    $user = get_user_by('id', $id);
}
$file = getenv('CASEWIRE_WP_PASSWORD_FILE');
$name = 'casewire tests';
$kept = false;
if (is_readable($file)) {
    $saved = trim(file_get_contents($file));
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if ($item['name'] === $name && wp_check_password($saved, $item['password'], $user->ID)) {
            $kept = true;
        }
    }
}
if (!$kept) {
    foreach (WP_Application_Passwords::get_user_application_passwords($user->ID) as $item) {
        if ($item['name'] === $name) {
            WP_Application_Passwords::delete_application_password($user->ID, $item['uuid']);
        }
    }
    $made = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => $name]);
    if (is_wp_error($made)) {
        fwrite(STDERR, $made->get_error_message() . "\n");
        exit(1);
    }
    file_put_contents($file, $made[0] . "\n");
    chmod($file, 0600);
}
// Plain permalinks: the REST API is reached as /?rest_route=/wp/v2/..., which works with any
// web server in front.
update_option('permalink_structure', '');
