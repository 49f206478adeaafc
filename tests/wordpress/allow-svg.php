<?php
/*
 * Lets the test site's authors upload SVG charts, which WordPress refuses by default. A
 * newsroom's own site would do this with a plugin that sanitises SVG.
 */
add_filter('upload_mimes', function ($mimes) {
    $mimes['svg'] = 'image/svg+xml';
    return $mimes;
});
add_filter('wp_check_filetype_and_ext', function ($data, $file, $filename, $mimes) {
    if (substr(strtolower($filename), -4) === '.svg') {
        $data['ext'] = 'svg';
        $data['type'] = 'image/svg+xml';
        $data['proper_filename'] = $filename;
    }
    return $data;
}, 10, 4);
