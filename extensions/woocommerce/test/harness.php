<?php
/**
 * Runs the plugin outside WordPress with the few WordPress and WooCommerce functions it calls stubbed, and prints
 * what it produced as JSON: the sign-in link for the current user, and the requests it sends when a user is deleted
 * or loses the capability. Used by extensions/woocommerce/plugin.test.ts, which checks them against the server.
 * Environment: MAHNWERK_TEST_DELIVERY_URL and MAHNWERK_TEST_SECRET (one of the store's Mahnwerk webhooks).
 */

define( 'ABSPATH', __DIR__ );

class WP_User {
	public $ID;
	public $display_name;
	public $user_email;
	public $caps;
	public function __construct( $id, $name, $email, $caps ) {
		$this->ID           = $id;
		$this->display_name = $name;
		$this->user_email   = $email;
		$this->caps         = $caps;
	}
}

class WC_Data_Store {
	public static function load( $name ) {
		return new class() {
			public function search_webhooks( $args ) {
				return array( 7 );
			}
		};
	}
}

$GLOBALS['mahnwerk_test'] = array( 'actions' => array(), 'filters' => array(), 'posts' => array(), 'users' => array(), 'transients' => array() );

class WC_Order {
	private $meta;
	private $id;
	public function __construct( $meta, $id = 0 ) {
		$this->meta = $meta;
		$this->id   = $id;
	}
	public function get_meta( $key, $single = true ) {
		return $this->meta[ $key ] ?? '';
	}
	public function get_id() {
		return $this->id;
	}
	public function get_edit_order_url() {
		return 'https://shop.example.de/wp-admin/admin.php?page=wc-orders&action=edit&id=' . $this->id;
	}
}

class WP_Post {
	public $ID;
	public function __construct( $id ) {
		$this->ID = $id;
	}
}

/** wp_safe_redirect ends the request in WordPress; here it ends the handler so the harness can go on. */
class Mahnwerk_Test_Redirect extends Exception {}

function add_action( $hook, $callback, $priority = 10 ) {
	$GLOBALS['mahnwerk_test']['actions'][ $hook ][] = $callback;
}
function add_filter( $hook, $callback, $priority = 10, $accepted_args = 1 ) {
	$GLOBALS['mahnwerk_test']['filters'][ $hook ][] = $callback;
}
function apply_filters( $hook, $value, ...$args ) {
	foreach ( $GLOBALS['mahnwerk_test']['filters'][ $hook ] ?? array() as $callback ) {
		$value = $callback( $value, ...$args );
	}
	return $value;
}
function esc_html( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES );
}
function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES );
}
function get_user_locale() {
	return $GLOBALS['mahnwerk_test']['locale'] ?? 'en_US';
}
function wc_get_order( $id ) {
	return $GLOBALS['mahnwerk_test']['orders'][ $id ] ?? false;
}
function wp_json_encode( $value ) {
	return json_encode( $value );
}
function wp_generate_password( $length ) {
	return substr( bin2hex( random_bytes( $length ) ), 0, $length );
}
function wp_get_current_user() {
	return $GLOBALS['mahnwerk_test']['users'][42];
}
function get_userdata( $id ) {
	return $GLOBALS['mahnwerk_test']['users'][ $id ] ?? false;
}
function user_can( $user, $capability ) {
	return in_array( $capability, $user->caps, true );
}
function add_query_arg( $args, $url ) {
	return $url . '?' . http_build_query( $args );
}
class WP_Error {}
// The network: the checkout guard's question and the meta box's requests go over real HTTP to the test's servers in
// front of the app's routes (MAHNWERK_TEST_GUARD_SERVER, MAHNWERK_TEST_ORDER_CASE_SERVER); without one, Mahnwerk
// cannot be reached.
function wp_remote_post( $url, $args ) {
	$GLOBALS['mahnwerk_test']['posts'][] = array( 'url' => $url, 'body' => $args['body'], 'blocking' => $args['blocking'] ?? true );
	$servers = array(
		'/woocommerce/checkout-guard' => 'MAHNWERK_TEST_GUARD_SERVER',
		'/woocommerce/order-case'     => 'MAHNWERK_TEST_ORDER_CASE_SERVER',
	);
	$path = (string) parse_url( $url, PHP_URL_PATH );
	if ( ! isset( $servers[ $path ] ) ) {
		return array();
	}
	$server = getenv( $servers[ $path ] );
	if ( ! $server ) {
		return new WP_Error();
	}
	$context = stream_context_create(
		array(
			'http' => array(
				'method'        => 'POST',
				'header'        => 'Content-Type: application/x-www-form-urlencoded',
				'content'       => http_build_query( $args['body'] ),
				'timeout'       => $args['timeout'],
				'ignore_errors' => true,
			),
		)
	);
	$body = @file_get_contents( $server . $path, false, $context );
	if ( false === $body ) {
		return new WP_Error();
	}
	$code = (int) explode( ' ', $http_response_header[0] ?? 'HTTP/1.1 0' )[1];
	return array(
		'response' => array( 'code' => $code ),
		'body'     => (string) $body,
	);
}
function add_meta_box( $id, $title, $callback, $screen, $context, $priority ) {
	$GLOBALS['mahnwerk_test']['boxes'][] = array( $id, $title, $callback, $screen, $context );
}
function get_current_user_id() {
	return 42;
}
function delete_transient( $key ) {
	unset( $GLOBALS['mahnwerk_test']['transients'][ $key ] );
}
function wp_nonce_field( $action, $name, $referer = true ) {
	echo '<input type="hidden" name="' . esc_attr( $name ) . '" value="' . esc_attr( 'nonce:' . $action ) . '">';
}
function check_admin_referer( $action, $name ) {
	if ( ( $_POST[ $name ] ?? '' ) !== 'nonce:' . $action ) {
		throw new RuntimeException( 'nonce check failed' );
	}
	return 1;
}
function current_user_can( $capability ) {
	return in_array( $capability, wp_get_current_user()->caps, true );
}
function admin_url( $path ) {
	return 'https://shop.example.de/wp-admin/' . $path;
}
function esc_url( $url ) {
	return htmlspecialchars( (string) $url, ENT_QUOTES );
}
function wp_unslash( $value ) {
	return stripslashes( $value );
}
function sanitize_key( $key ) {
	return preg_replace( '/[^a-z0-9_\-]/', '', strtolower( (string) $key ) );
}
function sanitize_textarea_field( $text ) {
	return trim( (string) $text );
}
function wp_die( $message ) {
	throw new RuntimeException( 'wp_die: ' . $message );
}
function wp_safe_redirect( $url ) {
	$GLOBALS['mahnwerk_test']['redirect'] = $url;
	throw new Mahnwerk_Test_Redirect();
}
function is_wp_error( $thing ) {
	return $thing instanceof WP_Error;
}
function wp_remote_retrieve_response_code( $response ) {
	return $response['response']['code'];
}
function wp_remote_retrieve_body( $response ) {
	return $response['body'];
}
function get_transient( $key ) {
	return $GLOBALS['mahnwerk_test']['transients'][ $key ] ?? false;
}
function set_transient( $key, $value, $ttl ) {
	$GLOBALS['mahnwerk_test']['transients'][ $key ] = $value;
}
function is_admin() {
	return false;
}
function is_checkout() {
	return true;
}
function is_user_logged_in() {
	return false;
}
function WC() {
	return (object) array(
		'customer' => new class() {
			public function get_billing_email() {
				return (string) getenv( 'MAHNWERK_TEST_BILLING_EMAIL' );
			}
		},
	);
}
function wc_get_webhook( $id ) {
	return new class() {
		public function get_delivery_url() {
			return getenv( 'MAHNWERK_TEST_DELIVERY_URL' );
		}
		public function get_status() {
			return 'active';
		}
		public function get_id() {
			return 7;
		}
		public function get_secret() {
			return getenv( 'MAHNWERK_TEST_SECRET' );
		}
	};
}

require __DIR__ . '/../mahnwerk/mahnwerk.php';

if ( getenv( 'MAHNWERK_TEST_BILLING_EMAIL' ) ) {
	// The checkout guard: the gateways a checkout offers, filtered twice (the second from the cached answer).
	$gateways = array(
		'invoice' => (object) array( 'title' => 'Kauf auf Rechnung' ),
		'bacs'    => (object) array( 'title' => 'Rechnung' ),
		'stripe'  => (object) array( 'title' => 'Kreditkarte' ),
		'paypal'  => (object) array( 'title' => 'PayPal' ),
	);
	$first  = apply_filters( 'woocommerce_available_payment_gateways', $gateways );
	$second = apply_filters( 'woocommerce_available_payment_gateways', $gateways );
	echo json_encode(
		array(
			'first'  => array_keys( $first ),
			'second' => array_keys( $second ),
			'asked'  => count( $GLOBALS['mahnwerk_test']['posts'] ),
			'posts'  => $GLOBALS['mahnwerk_test']['posts'],
		)
	);
	exit;
}


if ( getenv( 'MAHNWERK_TEST_ORDER_CASE_SERVER' ) !== false ) {
	// The order screen's meta box: registered on both screens, rendered for one order (HPOS, then classic after an
	// action posted from the box), in MAHNWERK_TEST_LOCALE, as Anna (manage_woocommerce).
	$GLOBALS['mahnwerk_test']['users'][42] = new WP_User( 42, 'Anna Schmidt', 'anna@shop.example.de', array( 'manage_woocommerce' ) );
	$GLOBALS['mahnwerk_test']['locale']    = getenv( 'MAHNWERK_TEST_LOCALE' ) ?: 'en_US';
	$order_id                              = (int) getenv( 'MAHNWERK_TEST_ORDER_ID' );
	$GLOBALS['mahnwerk_test']['orders'][ $order_id ] = new WC_Order( array(), $order_id );
	foreach ( $GLOBALS['mahnwerk_test']['actions']['add_meta_boxes'] as $callback ) {
		$callback();
	}
	$render = function ( $subject ) {
		ob_start();
		mahnwerk_render_case_meta_box( $subject );
		return ob_get_clean();
	};
	$before   = $render( new WC_Order( array(), $order_id ) );
	$redirect = null;
	$after    = null;
	if ( getenv( 'MAHNWERK_TEST_ACTION' ) ) {
		$_POST = array(
			'mahnwerk_order'  => (string) $order_id,
			'mahnwerk_action' => getenv( 'MAHNWERK_TEST_ACTION' ),
			'mahnwerk_reason' => (string) getenv( 'MAHNWERK_TEST_REASON' ),
			'mahnwerk_nonce'  => getenv( 'MAHNWERK_TEST_NONCE' ) ?: 'nonce:mahnwerk_case_' . $order_id,
		);
		try {
			foreach ( $GLOBALS['mahnwerk_test']['actions']['admin_post_mahnwerk_case_action'] as $callback ) {
				$callback();
			}
		} catch ( Mahnwerk_Test_Redirect $redirected ) {
			$redirect = $GLOBALS['mahnwerk_test']['redirect'];
		} catch ( RuntimeException $refused ) {
			$redirect = 'refused: ' . $refused->getMessage();
		}
		$after = $render( new WP_Post( $order_id ) );
	}
	echo json_encode(
		array(
			'boxes'    => array_map(
				function ( $box ) {
					return array( $box[0], $box[1], $box[3], $box[4] );
				},
				$GLOBALS['mahnwerk_test']['boxes'] ?? array()
			),
			'before'   => $before,
			'redirect' => $redirect,
			'after'    => $after,
			'posts'    => $GLOBALS['mahnwerk_test']['posts'],
		)
	);
	exit;
}


$GLOBALS['mahnwerk_test']['users'][42] = new WP_User( 42, 'Anna Schmidt', 'anna@shop.example.de', array( 'manage_woocommerce' ) );
$GLOBALS['mahnwerk_test']['users'][43] = new WP_User( 43, 'Ben Wolle', 'ben@shop.example.de', array() );
$signin = mahnwerk_signin_url( mahnwerk_connection() );
foreach ( $GLOBALS['mahnwerk_test']['actions']['delete_user'] as $callback ) {
	$callback( 42 );
}
// Ben keeps his account but no longer manages WooCommerce; Anna's role change keeps the capability: no report.
foreach ( $GLOBALS['mahnwerk_test']['actions']['set_user_role'] as $callback ) {
	$callback( 43 );
	$callback( 42 );
}
// The states WooCommerce would let each order be paid in, as WC_Order::needs_payment() asks for them.
$payable = array();
foreach ( array( 'running', 'handed_over', 'blocked', 'waiting_for_approval', 'failed', 'paid', 'cancelled', 'closed', '' ) as $case_status ) {
	$order                              = new WC_Order( '' === $case_status ? array() : array( '_mahnwerk_status' => $case_status ) );
	$payable[ '' === $case_status ? 'untracked' : $case_status ] = apply_filters( 'woocommerce_valid_order_statuses_for_payment', array( 'pending', 'failed' ), $order );
}
// The order list: the columns both list screens get, and the cell each renders, per status and language.
$columns = array(
	'classic' => apply_filters( 'manage_edit-shop_order_columns', array( 'cb' => '', 'order_number' => 'Order', 'order_status' => 'Status', 'order_total' => 'Total' ) ),
	'hpos'    => apply_filters( 'manage_woocommerce_page_wc-orders_columns', array( 'cb' => '', 'order_number' => 'Order', 'order_status' => 'Status', 'order_total' => 'Total' ) ),
);
$cells = array();
foreach ( array( 'en_US', 'de_DE' ) as $locale ) {
	$GLOBALS['mahnwerk_test']['locale'] = $locale;
	foreach ( array( 'running', 'handed_over', 'blocked', 'waiting_for_approval', 'failed', 'paid', 'cancelled', 'closed', '' ) as $i => $case_status ) {
		$order                                     = new WC_Order( '' === $case_status ? array() : array( '_mahnwerk_status' => $case_status ) );
		$GLOBALS['mahnwerk_test']['orders'][ 100 + $i ] = $order;
		$key                                       = '' === $case_status ? 'untracked' : $case_status;
		foreach ( array( 'hpos' => array( 'manage_woocommerce_page_wc-orders_custom_column', $order ), 'classic' => array( 'manage_shop_order_posts_custom_column', 100 + $i ) ) as $screen => $call ) {
			foreach ( array( 'mahnwerk', 'order_total' ) as $column ) {
				ob_start();
				foreach ( $GLOBALS['mahnwerk_test']['actions'][ $call[0] ] as $callback ) {
					$callback( $column, $call[1] );
				}
				$cells[ $locale ][ $screen ][ $column ][ $key ] = ob_get_clean();
			}
		}
	}
}
echo json_encode(
	array(
		'signin'  => $signin,
		'posts'   => $GLOBALS['mahnwerk_test']['posts'],
		'payable' => $payable,
		'columns' => $columns,
		'cells'   => $cells,
	)
);
